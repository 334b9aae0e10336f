/** Requirements between alert settings (checked only when alerts are enabled). */
import { hostAllowed } from '../alerts/allowed-hosts';
import type { SchemaIssue } from './schema';
import type { AlertsConfig } from './types';

export function checkAlerts(alerts: AlertsConfig): SchemaIssue | null {
  if (!alerts.enabled) return null;
  const { email, webhook } = alerts.channels;
  if (email.smtp.host !== null && email.from === null) {
    return {
      pointer: '/alerts/channels/email/from',
      reason: 'is required when /alerts/channels/email/smtp/host is set',
    };
  }
  if (email.smtp.password !== null && email.smtp.user === null) {
    return { pointer: '/alerts/channels/email/smtp/user', reason: 'is required when a password is set' };
  }
  const names = new Set<string>();
  for (const [index, hook] of webhook.entries()) {
    if (names.has(hook.name)) {
      return {
        pointer: `/alerts/channels/webhook/${index}/name`,
        reason: 'duplicates the name of an earlier webhook',
      };
    }
    names.add(hook.name);
    let host: string;
    try {
      host = new URL(hook.url).hostname;
    } catch {
      return { pointer: `/alerts/channels/webhook/${index}/url`, reason: 'is not a valid URL' };
    }
    // The URL is a secret, so the message names only the host.
    if (!hostAllowed(host, alerts.allowedHosts)) {
      return {
        pointer: `/alerts/channels/webhook/${index}/url`,
        reason: `has host ${host}, which is not in /alerts/allowedHosts`,
      };
    }
  }
  return null;
}
