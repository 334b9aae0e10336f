/** PUT /v4/mqttpublishmessage (Butler #17): publish one message, QoS 0, not retained. */
import { method, registerEndpoint } from '../shared/http/endpoint';
import { MAX_TOPIC_LENGTH } from '../shared/mqtt/topic';

interface PublishBody {
  topic: string;
  message: string;
}

const publishBodySchema = {
  type: 'object',
  required: ['topic', 'message'],
  properties: {
    // Wildcards are refused here: a broker disconnects a client that publishes to one.
    topic: { type: 'string', minLength: 1, maxLength: MAX_TOPIC_LENGTH, pattern: '^[^#+\\u0000]*$' },
    message: { type: 'string' },
  },
};

registerEndpoint('mqttpublishmessage', 'v4/mqttpublishmessage', {
  PUT: method<Record<string, unknown>, PublishBody>({
    enabledBy: 'mqttPublishMessage',
    body: publishBodySchema,
    handle: async ({ body, services }) => {
      await services.mqtt.publish(body.topic, body.message);
      return { status: 201, body: { topic: body.topic, message: body.message } };
    },
  }),
});
