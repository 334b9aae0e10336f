/** `alerts`: reload-task alerts (docs/alerts.md). Off by default; channels in ./alert-channels.ts. */
import { Type } from '@sinclair/typebox';
import { AlertChannels, AlertOutcomeSchema, taskSelectionProperties } from './alert-channels';
import { optionalString, section } from './kit';

const bounded = (minimum: number, maximum: number, fallback: number, description: string) =>
  Type.Integer({ minimum, maximum, default: fallback, description });

export const AlertsSection = section(
  {
    enabled: Type.Boolean({ default: false, description: 'Detect finished reload tasks and send alerts.' }),
    callbackBaseUrl: optionalString(
      'How QRS reaches this host, e.g. http://10.0.1.5:8080 (scheme, host and port only). The host adds the callback route and ?code=<key>. null: no push notifications, backstop only.',
      { pattern: '^https?://[^/?#]+/?$' },
    ),
    resubscribeSeconds: bounded(
      10,
      86400,
      300,
      'Re-register the QRS subscription this often (QRS forgets subscriptions when it restarts).',
    ),
    backstopSeconds: bounded(
      5,
      86400,
      60,
      'Poll execution results modified since the stored cursor this often.',
    ),
    outcomes: Type.Array(AlertOutcomeSchema, {
      uniqueItems: true,
      default: ['failed', 'aborted'],
      description: 'Default outcomes for every channel: failed | aborted | success.',
    }),
    tasks: section(taskSelectionProperties, {
      description:
        'Which tasks alert: any of these tags or custom property values; both empty means all tasks.',
    }),
    scriptLogLines: section(
      {
        head: bounded(0, 1000, 10, 'Lines from the start of the log.'),
        tail: bounded(0, 1000, 25, 'Lines from the end of the log.'),
      },
      { description: 'Script-log lines carried by an alert.' },
    ),
    allowedHosts: Type.Array(Type.String({ minLength: 1, pattern: '^[A-Za-z0-9.:\\[\\]*-]+$' }), {
      uniqueItems: true,
      default: [],
      description:
        "Outbound host allow-list for webhook channels (SSRF guard): host names or addresses; '*.example.com' matches subdomains. Redirects to other hosts are refused.",
    }),
    rateLimitSeconds: bounded(
      0,
      86400,
      300,
      'At most one alert per task and channel in this many seconds (0: no limit). Shared by all hosts through the state store.',
    ),
    retry: section(
      {
        attempts: bounded(1, 20, 4, 'Attempts per channel, the first included.'),
        baseDelayMs: bounded(0, 600000, 1000, 'Delay before the second attempt; doubles each time.'),
        maxDelayMs: bounded(0, 3600000, 30000, 'Upper bound of one delay.'),
        timeoutMs: bounded(100, 120000, 10000, 'Timeout of one delivery attempt.'),
      },
      { description: 'Delivery retries per channel before the alert goes to the dead-letter record.' },
    ),
    channels: AlertChannels,
  },
  {
    description: 'Reload-task alerts from QRS change notifications plus a polling backstop. Off by default.',
  },
);
