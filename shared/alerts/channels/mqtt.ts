/** MQTT: the alert's fields as JSON on `<topic>/<failed|aborted|success>`, through a publish interface. */
import type { AlertsConfig } from '../../config/types';
import { flatFields } from '../render';
import type { AlertChannel } from './channel';

/** The slice of an MQTT client alerts need (the process MQTT client provides it). */
export interface MqttPublisher {
  publish(topic: string, payload: string): Promise<void>;
}

export function mqttChannel(cfg: AlertsConfig, publisher: MqttPublisher): AlertChannel {
  const mqtt = cfg.channels.mqtt;
  const root = mqtt.topic.replace(/\/+$/, '');
  return {
    id: 'mqtt',
    outcomes: mqtt.outcomes ?? cfg.outcomes,
    tasks: mqtt.tasks ?? cfg.tasks,
    async send(event) {
      await publisher.publish(`${root}/${event.outcome}`, JSON.stringify(flatFields(event)));
    },
  };
}
