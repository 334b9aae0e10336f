/** `mqtt`: the broker connection (publishing, and the task-start topic). */
import { Type } from '@sinclair/typebox';
import { optionalString, section } from './kit';

export const MqttSection = section(
  {
    enabled: Type.Boolean({ default: false, description: 'Connect to the broker.' }),
    url: optionalString('Broker URL, e.g. mqtts://broker.example.com:8883. Required when enabled.', {
      pattern: '^(mqtts?|wss?|tcp|ssl|tls)://',
    }),
    username: optionalString('User name.'),
    password: optionalString('Password (secret: use ${env:NAME}).', { writeOnly: true }),
    ca: optionalString('CA certificate of the broker (PEM path).'),
    cert: optionalString('Client certificate (PEM path).'),
    key: optionalString('Client private key (PEM path).'),
    rejectUnauthorized: Type.Boolean({ default: true, description: "Verify the broker's certificate." }),
    clientId: optionalString('Client id; default: unique per process.'),
    taskStartTopic: optionalString(
      'Subscribe to this topic and start the task named in each message, e.g. qliksense/start_task.',
    ),
    publishTimeoutMs: Type.Integer({
      minimum: 100,
      maximum: 120000,
      default: 5000,
      description: 'How long a publish may wait for the broker (ms); then it fails with 503 or 504.',
    }),
  },
  { description: 'MQTT client. When enabled, url is required.' },
);
