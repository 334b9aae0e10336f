/**
 * Requirements between settings that the schema cannot express clearly. Only an enabled feature's
 * settings are checked ("a disabled feature needs none of its settings"); Sense settings are never
 * required here because Sense features answer 503 NOT_CONFIGURED at request time instead.
 */
import { hostAllowed } from '../alerts/allowed-hosts';
import type { AlertsConfig, ConfigSettings } from './types';
import type { SchemaIssue } from './validate';

export function checkFeatureRequirements(config: ConfigSettings): SchemaIssue | null {
  const { mqtt, state, newRelic } = config;
  if (mqtt.enabled) {
    if (mqtt.url === null) return { pointer: '/mqtt/url', reason: 'is required when /mqtt/enabled is true' };
    if (mqtt.cert !== null && mqtt.key === null) {
      return { pointer: '/mqtt/key', reason: 'is required when /mqtt/cert is set' };
    }
    if (mqtt.key !== null && mqtt.cert === null) {
      return { pointer: '/mqtt/cert', reason: 'is required when /mqtt/key is set' };
    }
  }
  if (state.backend === 'table' && state.table.connectionString === null) {
    return { pointer: '/state/table/connectionString', reason: 'is required when /state/backend is table' };
  }
  const alertIssue = checkAlerts(config.alerts);
  if (alertIssue) return alertIssue;
  const seen = new Set<string>();
  for (const [index, account] of newRelic.accounts.entries()) {
    if (seen.has(account.name)) {
      return {
        pointer: `/newRelic/accounts/${index}/name`,
        reason: 'duplicates the name of an earlier account',
      };
    }
    seen.add(account.name);
  }
  return null;
}

/** Requirements between alert settings (checked only when alerts are enabled). */
function checkAlerts(alerts: AlertsConfig): SchemaIssue | null {
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
