/**
 * PUT /v4/mqttpublishmessage on the embedded host against an in-process broker that requires TLS, a
 * client certificate and a password: the status message on connect, delivery to a subscriber, input
 * validation, and a clean disconnect when the host stops.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import type { MqttClient } from 'mqtt';
import { getServices } from '../../shared/bootstrap';
import type { MqttService } from '../../shared/mqtt/mqtt-service';
import { captureConsole, type ConsoleCapture } from '../helpers/console-capture';
import { startBroker, subscribe, type TestBroker } from '../helpers/mqtt-broker';
import { createTestPki, type TestPki } from '../helpers/pki';
import { startProductHost, type ProductHost } from '../helpers/product-host';

const CREDENTIALS = { username: 'butler', password: 'pw-5f1c9e-not-in-logs' };
let pki: TestPki;
let broker: TestBroker;
let subscriber: MqttClient;
let statusMessages: { next: () => Promise<string> };
let api: ProductHost;
let hostLog: string[];
let processLog: ConsoleCapture;

before(async () => {
  pki = await createTestPki();
  broker = await startBroker({ pki, requireClientCert: true, credentials: CREDENTIALS });
  subscriber = await broker.client();
  statusMessages = await subscribe(subscriber, 'qliksense/butler/mqtt/status');
  hostLog = [];
  processLog = captureConsole();
  api = await startProductHost({
    log: (line) => hostLog.push(line),
    config: {
      mqtt: {
        enabled: true,
        url: broker.url,
        ca: pki.caCert,
        cert: pki.clientCert,
        key: pki.clientKey,
        ...CREDENTIALS,
      },
    },
  });
});
after(async () => {
  processLog?.restore();
  await api?.close();
  await broker?.close();
  if (pki) await rm(pki.dir, { recursive: true, force: true });
});

function clientId(): string {
  return (getServices().mqtt as MqttService).clientId;
}

test('on connect the host announces itself on qliksense/butler/mqtt/status', async () => {
  const text = await statusMessages.next();
  assert.equal(text, `Connected to MQTT broker localhost:${broker.port} with client ID ${clientId()}`);
  assert.match(clientId(), /^butler-.+-\d+-[0-9a-f]{8}$/);
  assert.ok(broker.connected.includes(clientId()), 'the broker saw the host connect');
});

test('a published message reaches a subscriber, and the request body is echoed', async () => {
  const inbox = await subscribe(subscriber, 'butler/test/greeting');
  const res = await api.call('/v4/mqttpublishmessage', {
    method: 'PUT',
    body: { topic: 'butler/test/greeting', message: 'hello from a load script', extra: 'not echoed' },
  });
  assert.equal(res.status, 201, res.text);
  assert.deepEqual(res.json, { topic: 'butler/test/greeting', message: 'hello from a load script' });
  assert.equal(await inbox.next(), 'hello from a load script');
});

test('POST with X-HTTP-Method-Override PUT publishes too; a number message is sent as text', async () => {
  const inbox = await subscribe(subscriber, 'butler/test/number');
  const res = await api.call('/v4/mqttpublishmessage', {
    method: 'POST',
    headers: { 'x-http-method-override': 'put' },
    body: { topic: 'butler/test/number', message: 42 },
  });
  assert.equal(res.status, 201, res.text);
  assert.deepEqual(res.json, { topic: 'butler/test/number', message: '42' });
  assert.equal(await inbox.next(), '42');
});

for (const [name, body, message] of [
  ['no body', undefined, /^body must be object$/],
  ['missing topic', { message: 'm' }, /^body must have required property 'topic'$/],
  ['missing message', { topic: 't' }, /^body must have required property 'message'$/],
  ['empty topic', { topic: '', message: 'm' }, /^body\/topic must NOT have fewer than 1 characters$/],
  ['wildcard topic #', { topic: 'a/#', message: 'm' }, /^body\/topic must match pattern/],
  ['wildcard topic +', { topic: 'a/+/b', message: 'm' }, /^body\/topic must match pattern/],
  ['object message', { topic: 't', message: { a: 1 } }, /^body\/message must be string$/],
  ['over-long topic', { topic: 'x'.repeat(1025), message: 'm' }, /^body\/topic must NOT have more than 1024/],
] as const) {
  test(`bad input (${name}) → 400 VALIDATION naming the field`, async () => {
    const res = await api.call('/v4/mqttpublishmessage', { method: 'PUT', body });
    assert.equal(res.status, 400, res.text);
    const json = res.json as { code: string; message: string };
    assert.equal(json.code, 'VALIDATION');
    assert.match(json.message, message);
  });
}

test('the password never appears in the host or process log', () => {
  const logged = [...hostLog, ...processLog.lines].join('\n');
  assert.match(logged, /mqtt: Connected to MQTT broker/);
  assert.equal(logged.includes(CREDENTIALS.password), false);
});

test('stopping the host disconnects its client from the broker', async () => {
  const id = clientId();
  await api.close();
  api = undefined as unknown as ProductHost;
  await broker.whenDisconnected(id);
  assert.ok(broker.disconnected.includes(id));
});
