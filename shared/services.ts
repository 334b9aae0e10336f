/**
 * The composition root: every long-lived client is built here once per host start from the validated
 * config, and closed in `appTerminate`. Handlers receive it; tests build it from a test config.
 */
import type { ButlerConfig } from './config/types';
import { consoleLogger, type Logger } from './log';
import { SenseClient } from './sense/client';
import { KeyValueService } from './kv/key-value-service';
import { KV_TABLE, type KvRecord } from './kv/records';
import { createStateStore } from './state/create-store';
import type { StateStore } from './state/store';
import { ReloadTracker } from './apps/reload-tracker';
import { buildAlerts } from './alerts/build';
import type { AlertService } from './alerts/service';

export interface Services {
  readonly config: ButlerConfig;
  readonly log: Logger;
  /** The state layer (`state.backend`): key-values, schedules, alert bookkeeping. */
  readonly state: StateStore;
  readonly kv: KeyValueService;
  readonly reloads: ReloadTracker;
  /** Reload-task alerts; undefined when `alerts.enabled` is false. */
  readonly alerts: AlertService | undefined;
  /** The Sense client; throws NOT_CONFIGURED (503) naming the missing settings when Sense is not set up. */
  sense(): SenseClient;
  close(): Promise<void>;
}

export function buildServices(config: ButlerConfig, log: Logger = consoleLogger): Services {
  const senseClient = new SenseClient(config.sense, {
    log: (level, message) => log[level](`sense: ${message}`),
  });
  // Throws on state it cannot trust (an unreadable state file), which stops the host from starting.
  const state = createStateStore(config.state, log);
  const kv = new KeyValueService(state.table<KvRecord>(KV_TABLE), config.keyValueStore);
  const reloads = new ReloadTracker();
  const alerts = buildAlerts(config, log, () => senseClient.qrs, state);
  return {
    config,
    log,
    state,
    kv,
    reloads,
    alerts: alerts?.service,
    sense() {
      senseClient.assertConfigured();
      return senseClient;
    },
    async close() {
      // Alerts first: their in-flight deliveries still use the Sense client and the state store.
      await alerts?.close();
      // Closing the client first fails any reload still waiting on the Engine, so shutdown is bounded;
      // the tracker then records those reloads as failed.
      await senseClient.close();
      await reloads.settle();
      await kv.close();
      await state.close();
    },
  };
}
