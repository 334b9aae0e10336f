/**
 * MQTT trouble never stops the host from starting, and publish answers 503 at once instead of hanging:
 * MQTT switched off, a wrong password, an untrusted broker certificate, an unreadable certificate file,
 * and a broker that is down at start and comes back later.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { after, afterEach, before, test } from 'node:test';
import { getServices } from '../../shared/bootstrap';
import type { MqttService } from '../../shared/mqtt/mqtt-service';
import { captureConsole, type ConsoleCapture } from '../helpers/console-capture';
import { freePort, startBroker, subscribe, type TestBroker } from '../helpers/mqtt-broker';
import { createTestPki, type TestPki } from '../helpers/pki';
import { startProductHost, type ProductHost } from '../helpers/product-host';

const CREDENTIALS = { username: 'butler', password: 'right-password-3a7e' };
const WRONG = 'wrong-password-9c4d';
let pki: TestPki;
let api: ProductHost | undefined;
let broker: TestBroker | undefined;
let hostLog: string[];
let processLog: ConsoleCapture | undefined;

before(async () => {
  pki = await createTestPki();
});
afterEach(async () => {
  processLog?.restore();
  processLog = undefined;
  await api?.close();
  api = undefined;
  await broker?.close();
  broker = undefined;
});
after(async () => {
  if (pki) await rm(pki.dir, { recursive: true, force: true });
});

async function startHost(mqtt: Record<string, unknown>): Promise<ProductHost> {
  hostLog = [];
  processLog = captureConsole();
  api = await startProductHost({ log: (line) => hostLog.push(line), config: { mqtt } });
  return api;
}

async function publish(host: ProductHost, topic = 'butler/test/t', message = 'm') {
  const res = await host.call('/v4/mqttpublishmessage', { method: 'PUT', body: { topic, message } });
  return { status: res.status, json: res.json as { code?: string; message?: string }, text: res.text };
}

test('MQTT switched off → 503 MQTT_DISABLED', async () => {
  const host = await startHost({ enabled: false });
  const res = await publish(host);
  assert.equal(res.status, 503);
  assert.equal(res.json.code, 'MQTT_DISABLED');
  assert.match(res.json.message ?? '', /mqtt\.enabled/);
});

test('a wrong password: the host starts, publish answers 503 naming the refusal, the password is never shown', async () => {
  broker = await startBroker({ pki, credentials: CREDENTIALS });
  const host = await startHost({
    enabled: true,
    url: broker.url,
    ca: pki.caCert,
    username: CREDENTIALS.username,
    password: WRONG,
  });
  const res = await publish(host);
  assert.equal(res.status, 503, res.text);
  assert.equal(res.json.code, 'MQTT_UNAVAILABLE');
  assert.match(res.json.message ?? '', /not connected: Connection refused: Bad username or password/);
  assert.ok(broker.refused.length > 0, 'the broker refused the login');
  assert.equal(broker.connected.length, 0);
  const everything = [res.text, ...hostLog, ...processLog!.lines].join('\n');
  assert.equal(everything.includes(WRONG), false);
});

test('an untrusted broker certificate (no mqtt.ca, rejectUnauthorized by default) → 503 naming the TLS error', async () => {
  broker = await startBroker({ pki });
  const host = await startHost({ enabled: true, url: broker.url });
  const res = await publish(host);
  assert.equal(res.status, 503, res.text);
  assert.equal(res.json.code, 'MQTT_UNAVAILABLE');
  assert.match(res.json.message ?? '', /self[- ]signed certificate/i);
  assert.equal(broker.connected.length, 0);
});

test('an unreadable certificate file → the host starts, 503 naming the setting and the file', async () => {
  const missing = path.join(pki.dir, 'no-such-ca.pem');
  const host = await startHost({ enabled: true, url: 'mqtts://localhost:8883', ca: missing });
  const res = await publish(host);
  assert.equal(res.status, 503, res.text);
  assert.equal(res.json.code, 'MQTT_UNAVAILABLE');
  assert.match(res.json.message ?? '', /cannot read mqtt\.ca \(.*no-such-ca\.pem\)/);
});

test('a broker down at start → the host starts and answers 503; once the broker is up, publish works', async () => {
  const port = await freePort();
  const host = await startHost({
    enabled: true,
    url: `mqtts://localhost:${port}`,
    ca: pki.caCert,
    ...CREDENTIALS,
  });
  const down = await publish(host);
  assert.equal(down.status, 503, down.text);
  assert.equal(down.json.code, 'MQTT_UNAVAILABLE');
  assert.match(down.json.message ?? '', new RegExp(`localhost:${port} is not connected: .*ECONNREFUSED`));

  broker = await startBroker({ pki, credentials: CREDENTIALS, port });
  const inbox = await subscribe(await broker.client(), 'butler/test/back');
  // The host reconnects on its own (backoff starts at about a second): wait for that, then publish.
  await (getServices().mqtt as MqttService).whenLink('connected');
  const back = await publish(host, 'butler/test/back', 'back again');
  assert.equal(back.status, 201, back.text);
  assert.equal(await inbox.next(), 'back again');
});

test('a connection lost later → 503 while away, and the host reconnects to the broker on its own', async () => {
  broker = await startBroker({ pki, credentials: CREDENTIALS });
  const port = broker.port;
  const host = await startHost({ enabled: true, url: broker.url, ca: pki.caCert, ...CREDENTIALS });
  assert.equal((await publish(host)).status, 201);

  await broker.close();
  broker = undefined;
  const service = getServices().mqtt as MqttService;
  await service.whenLink('down');
  const away = await publish(host);
  assert.equal(away.status, 503, away.text);
  assert.equal(away.json.code, 'MQTT_UNAVAILABLE');

  broker = await startBroker({ pki, credentials: CREDENTIALS, port });
  await service.whenLink('connected');
  assert.equal((await publish(host)).status, 201);
});
