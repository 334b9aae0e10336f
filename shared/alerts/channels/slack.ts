/**
 * Slack incoming webhook: Block Kit with a header, the facts and the script log in a code block,
 * kept under Slack's 3,000-character text limit. A message Slack rejects (4xx) is sent once more
 * as plain text, so a formatting problem never loses the alert.
 */
import type { AlertsConfig } from '../../config/types';
import type { AlertEvent } from '../event';
import { facts, fitScriptLog, headline, plainText } from '../render';
import { DeliveryError, type AlertChannel } from './channel';
import { sendHttp } from './http-send';

const SLACK_TEXT_LIMIT = 3000;

const escapeMrkdwn = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function slackPayload(event: AlertEvent, maxLogChars: number): unknown {
  const log = fitScriptLog(event, Math.min(maxLogChars, SLACK_TEXT_LIMIT - 10), escapeMrkdwn);
  const blocks: unknown[] = [
    { type: 'header', text: { type: 'plain_text', text: headline(event).slice(0, 150) } },
    {
      type: 'section',
      fields: facts(event)
        .slice(0, 10)
        .map(([k, v]) => ({ type: 'mrkdwn', text: `*${k}*\n${escapeMrkdwn(v)}`.slice(0, 2000) })),
    },
  ];
  if (log) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `\`\`\`${log}\`\`\`` } });
  return { text: headline(event), blocks };
}

export function slackChannel(cfg: AlertsConfig, url: string): AlertChannel {
  const slack = cfg.channels.slack;
  return {
    id: 'slack',
    outcomes: slack.outcomes ?? cfg.outcomes,
    tasks: slack.tasks ?? cfg.tasks,
    async send(event, signal) {
      const base = {
        url,
        method: 'POST' as const,
        allowedHosts: null,
        timeoutMs: cfg.retry.timeoutMs,
        signal,
      };
      try {
        await sendHttp({ ...base, json: slackPayload(event, slack.maxScriptLogChars) });
      } catch (err) {
        if (!(err instanceof DeliveryError) || err.retryable || !/^HTTP 4/.test(err.message)) throw err;
        await sendHttp({ ...base, json: { text: plainText(event, slack.maxScriptLogChars) } });
      }
    },
  };
}
