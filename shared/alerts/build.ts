/**
 * Builds the alert service for the composition root, on the process's state store (dedupe, rate
 * limits, dead letters and the backstop cursor are shared by every host using it). MQTT: a stand-in
 * publisher from the `mqtt` section until the process MQTT client exists.
 */
import type { ButlerConfig } from '../config/types';
import type { Logger } from '../log';
import type { QrsClient } from '../sense/qrs';
import { createMemoryStateStore } from '../state/memory-store';
import type { StateStore } from '../state/store';
import { createMqttPublisher, type ClosableMqttPublisher } from './mqtt-publisher';
import { AlertService } from './service';

export function buildAlerts(
  config: ButlerConfig,
  log: Logger,
  qrs: () => QrsClient,
  state?: StateStore,
): { service: AlertService; close(): Promise<void> } | undefined {
  if (!config.alerts.enabled) return undefined;
  const store = state ?? createMemoryStateStore();
  const ownsStore = state === undefined;
  const wantsMqtt = config.mqtt.enabled && config.alerts.channels.mqtt.enabled;
  const publisher: ClosableMqttPublisher | undefined = wantsMqtt
    ? createMqttPublisher(config.mqtt)
    : undefined;
  const service = new AlertService({
    config,
    qrs,
    state: store,
    log,
    ...(publisher ? { mqtt: publisher } : {}),
  });
  return {
    service,
    async close() {
      await service.close();
      await publisher?.close();
      if (ownsStore) await store.close();
    },
  };
}
