/**
 * Builds the alert service for the composition root, on the process's state store (dedupe, rate
 * limits, dead letters and the backstop cursor are shared by every host using it) and the process's
 * MQTT connection.
 */
import type { ButlerConfig } from '../config/types';
import type { Logger } from '../log';
import type { MqttPublisher as ProcessMqtt } from '../mqtt/mqtt-service';
import type { QrsClient } from '../sense/qrs';
import type { StateStore } from '../state/store';
import { AlertService } from './service';

export function buildAlerts(
  config: ButlerConfig,
  log: Logger,
  deps: { qrs: () => QrsClient; state: StateStore; mqtt: ProcessMqtt },
): { service: AlertService; close(): Promise<void> } | undefined {
  if (!config.alerts.enabled) return undefined;
  const { mqtt } = deps;
  const service = new AlertService({
    config,
    qrs: deps.qrs,
    state: deps.state,
    log,
    // QoS 1: the broker acknowledges each alert; a refused or offline publish is retried by delivery.
    ...(mqtt.enabled
      ? { mqtt: { publish: (topic: string, payload: string) => mqtt.publish(topic, payload, { qos: 1 }) } }
      : {}),
  });
  return { service, close: () => service.close() };
}
