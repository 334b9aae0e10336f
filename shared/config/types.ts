/**
 * The validated, defaults-filled configuration, derived from the TypeBox schema (./schema/root.ts): every
 * setting with a default is declared required there, so `Static<>` has no optional fields (see
 * ./schema/kit.ts). Paths are already resolved against the config file's directory; secrets are plain
 * values here and must never be logged.
 */
import type { Static } from '@sinclair/typebox';
import type { NameValue as NameValueSchema } from './schema/common';
import type { ConfigSchema } from './schema/root';

/** Every section, without the `$schema` editor hint (loading drops it). */
export type ConfigSettings = Omit<Static<typeof ConfigSchema>, '$schema'>;

export interface ButlerConfig extends ConfigSettings {
  /** Absolute path of the file this came from, or null when running on defaults. */
  source: string | null;
}

export type SenseConfig = ConfigSettings['sense'];
export type NameValue = Static<typeof NameValueSchema>;
export type { EndpointFlags, EndpointName } from './endpoints';

/** Reload-task alerts (docs/alerts.md). */
export type AlertsConfig = ConfigSettings['alerts'];
export type AlertOutcome = AlertsConfig['outcomes'][number];
/** Which tasks alert: any of the tags or custom-property values; both empty means all tasks. */
export type AlertTaskSelection = AlertsConfig['tasks'];
export type AlertWebhookConfig = AlertsConfig['channels']['webhook'][number];
