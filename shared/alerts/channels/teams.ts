/**
 * Microsoft Teams through a Power Automate workflow ("when a Teams webhook request is received"):
 * the message envelope with one Adaptive Card attachment (Office 365 connector cards are retired).
 */
import type { AlertsConfig } from '../../config/types';
import type { AlertEvent } from '../event';
import { facts, fitScriptLog, headline } from '../render';
import type { AlertChannel } from './channel';
import { sendHttp } from './http-send';

export function teamsPayload(event: AlertEvent, maxLogChars: number): unknown {
  const log = fitScriptLog(event, maxLogChars);
  const body: unknown[] = [
    {
      type: 'TextBlock',
      text: headline(event),
      weight: 'Bolder',
      size: 'Medium',
      wrap: true,
      color: event.outcome === 'success' ? 'Good' : 'Attention',
    },
    { type: 'FactSet', facts: facts(event).map(([title, value]) => ({ title, value })) },
  ];
  if (log) {
    body.push({ type: 'TextBlock', text: 'Script log (head and tail)', weight: 'Bolder', wrap: true });
    body.push({ type: 'TextBlock', text: log, fontType: 'Monospace', wrap: true, size: 'Small' });
  }
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body,
        },
      },
    ],
  };
}

export function teamsChannel(cfg: AlertsConfig, url: string): AlertChannel {
  const teams = cfg.channels.teams;
  return {
    id: 'teams',
    outcomes: teams.outcomes ?? cfg.outcomes,
    tasks: teams.tasks ?? cfg.tasks,
    async send(event, signal) {
      await sendHttp({
        url,
        method: 'POST',
        json: teamsPayload(event, teams.maxScriptLogChars),
        allowedHosts: null,
        timeoutMs: cfg.retry.timeoutMs,
        signal,
      });
    },
  };
}
