/**
 * Requirements between settings that the schema cannot express clearly. Only an enabled feature's
 * settings are checked ("a disabled feature needs none of its settings"); Sense settings are never
 * required here because Sense features answer 503 NOT_CONFIGURED at request time instead.
 */
import type { SchemaIssue } from './schema';
import type { ButlerConfig } from './types';
import { checkAlerts } from './alerts-checks';

export function checkFeatureRequirements(config: Omit<ButlerConfig, 'source'>): SchemaIssue | null {
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
