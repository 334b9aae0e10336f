/**
 * A stand-in MQTT publisher built from the `mqtt` section, used by the alert channel until the
 * process-wide MQTT client (services.mqtt) exists; it then only needs to satisfy MqttPublisher.
 * Connects on first use, reconnects by itself, publishes with QoS 1.
 */
import { readFileSync } from 'node:fs';
import mqtt, { type MqttClient } from 'mqtt';
import type { ButlerConfig } from '../config/types';
import type { MqttPublisher } from './channels/mqtt';

export interface ClosableMqttPublisher extends MqttPublisher {
  close(): Promise<void>;
}

export function createMqttPublisher(cfg: ButlerConfig['mqtt']): ClosableMqttPublisher {
  let client: MqttClient | undefined;
  const connect = (): MqttClient => {
    client ??= mqtt.connect(cfg.url ?? '', {
      ...(cfg.clientId ? { clientId: cfg.clientId } : {}),
      ...(cfg.username ? { username: cfg.username } : {}),
      ...(cfg.password ? { password: cfg.password } : {}),
      ...(cfg.ca ? { ca: readFileSync(cfg.ca) } : {}),
      ...(cfg.cert ? { cert: readFileSync(cfg.cert) } : {}),
      ...(cfg.key ? { key: readFileSync(cfg.key) } : {}),
      rejectUnauthorized: cfg.rejectUnauthorized,
      reconnectPeriod: 2000,
      connectTimeout: 10_000,
    });
    // Errors surface through the failed publish; the listener keeps them from crashing the process.
    client.on('error', () => undefined);
    return client;
  };
  return {
    async publish(topic, payload) {
      await connect().publishAsync(topic, payload, { qos: 1 });
    },
    async close() {
      await client?.endAsync(true);
    },
  };
}
