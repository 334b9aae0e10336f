/** PUT /v4/mqttpublishmessage (Butler #17): publish one message, QoS 0, not retained. */
import { Type } from '@sinclair/typebox';
import { method, registerEndpoint, reply } from '../shared/http/endpoint';
import { MAX_TOPIC_LENGTH } from '../shared/mqtt/topic';

const Message = Type.Object({
  // Wildcards are refused here: a broker disconnects a client that publishes to one.
  topic: Type.String({
    minLength: 1,
    maxLength: MAX_TOPIC_LENGTH,
    pattern: '^[^#+\\u0000]*$',
    description: 'No wildcards (+, #)',
  }),
  message: Type.String(),
});

registerEndpoint('mqttpublishmessage', 'v4/mqttpublishmessage', {
  PUT: method({
    id: 'mqttpublishmessage',
    summary: 'Publish a message to the MQTT broker (QoS 0, not retained)',
    enabledBy: 'mqttPublishMessage',
    body: Message,
    replies: { 201: reply('The message as published', Message) },
    errors: ['MQTT_DISABLED', 'MQTT_UNAVAILABLE', 'UPSTREAM_TIMEOUT'],
    handle: async ({ body, services }) => {
      await services.mqtt.publish(body.topic, body.message);
      return { status: 201, body: { topic: body.topic, message: body.message } };
    },
  }),
});
