/**
 * Generic webhooks: POST/PUT send the alert's fields as JSON, GET as query parameters (log lines
 * joined and capped, URLs stay short). Only hosts in alerts.allowedHosts are called.
 */
import type { AlertWebhookConfig, AlertsConfig } from '../../config/types';
import { flatFields } from '../render';
import type { AlertChannel } from './channel';
import { sendHttp } from './http-send';

const GET_LOG_CHARS = 1000;

function queryUrl(base: string, fields: Record<string, unknown>): string {
  const url = new URL(base);
  for (const [key, value] of Object.entries(fields)) {
    let text: string;
    if (Array.isArray(value)) {
      text = value.every((v) => typeof v === 'string') ? value.join('\n') : JSON.stringify(value);
      if (key.startsWith('scriptLog'))
        text = key.endsWith('Tail') ? text.slice(-GET_LOG_CHARS) : text.slice(0, GET_LOG_CHARS);
    } else text = typeof value === 'string' ? value : JSON.stringify(value);
    url.searchParams.set(key, text);
  }
  return url.toString();
}

export function webhookChannel(cfg: AlertsConfig, hook: AlertWebhookConfig): AlertChannel {
  const headers = Object.fromEntries(hook.headers.map((h) => [h.name, h.value]));
  return {
    id: `webhook-${hook.name}`,
    outcomes: hook.outcomes ?? cfg.outcomes,
    tasks: hook.tasks ?? cfg.tasks,
    async send(event, signal) {
      const fields = flatFields(event);
      await sendHttp({
        url: hook.method === 'GET' ? queryUrl(hook.url, fields) : hook.url,
        method: hook.method,
        headers,
        ...(hook.method === 'GET' ? {} : { json: fields }),
        allowedHosts: cfg.allowedHosts,
        timeoutMs: cfg.retry.timeoutMs,
        signal,
      });
    },
  };
}
