/**
 * The composition root: every long-lived client is built here once per host start from the validated
 * config, and closed in `appTerminate`. Handlers receive it; tests build it from a test config.
 */
import type { ButlerConfig } from './config/types';
import { consoleLogger, type Logger } from './log';
import { SenseClient } from './sense/client';
import type { KeyValueStore } from './state/kv';
import { createMemoryKvStore } from './state/memory-kv';
import { ReloadTracker } from './apps/reload-tracker';
import { buildAlerts } from './alerts/build';
import type { AlertService } from './alerts/service';

export interface Services {
  readonly config: ButlerConfig;
  readonly log: Logger;
  readonly kv: KeyValueStore;
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
  // Until the persistent state backends land, every backend keeps key-values in memory.
  const kv = createMemoryKvStore({ maxKeysPerNamespace: config.keyValueStore.maxKeysPerNamespace });
  const reloads = new ReloadTracker();
  const alerts = buildAlerts(config, log, () => senseClient.qrs);
  return {
    config,
    log,
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
    },
  };
}
