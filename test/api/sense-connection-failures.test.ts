/**
 * Connection and certificate problems: each answers with the documented status and a message naming
 * the setting an administrator has to fix. One product host at a time, against one simulator.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { createTestPki, type TestPki } from '../helpers/pki';
import { startProductHost } from '../helpers/product-host';
import { senseSettings } from '../helpers/sense-env';
import { SenseSim } from '../sensesim/index';
import { FIXTURE } from '../sensesim/fixtures';

interface ErrorJson {
  statusCode: number;
  code: string;
  message: string;
}

let pki: TestPki;
let sim: SenseSim;

before(async () => {
  pki = await createTestPki();
  sim = await SenseSim.start({ pki });
});
after(async () => {
  await sim?.close();
  await rm(pki.dir, { recursive: true, force: true });
});

async function startWith(
  sense: Record<string, unknown>,
  path: string,
  method = 'PUT',
): Promise<{ status: number; json: ErrorJson }> {
  const api = await startProductHost({ config: { sense: { ...senseSettings(sim, pki), ...sense } } });
  try {
    const res = await api.call(path, { method });
    return { status: res.status, json: res.json as ErrorJson };
  } finally {
    await api.close();
  }
}

const START = `/v4/reloadtask/${FIXTURE.taskReloadSales}/start`;

test('Sense down → 503 SENSE_UNAVAILABLE naming host and port, for QRS and the Engine', async () => {
  const qrs = await startWith({ qrsPort: 1, enginePort: 1 }, START);
  assert.equal(qrs.status, 503);
  assert.equal(qrs.json.code, 'SENSE_UNAVAILABLE');
  assert.match(qrs.json.message, /127\.0\.0\.1:1\b/);
  const engine = await startWith({ qrsPort: 1, enginePort: 1 }, '/v4/apps/list', 'GET');
  assert.equal(engine.status, 503);
  assert.equal(engine.json.code, 'SENSE_UNAVAILABLE');
});

test('a CA that did not issue the server certificate → 502 naming sense.ca', async () => {
  const res = await startWith({ ca: pki.rogueCert }, START);
  assert.equal(res.status, 502);
  assert.equal(res.json.code, 'SENSE_ERROR');
  assert.match(res.json.message, /sense\.ca/);
});

test('a server name the certificate does not carry → 502 naming the name and sense.serverName', async () => {
  const res = await startWith({ serverName: 'qlik.wrong.example' }, START);
  assert.equal(res.status, 502);
  assert.match(res.json.message, /qlik\.wrong\.example/);
  assert.match(res.json.message, /serverName/);
});

test('a client certificate Sense does not trust → 502 naming sense.cert', async () => {
  const res = await startWith({ cert: pki.rogueCert, key: pki.rogueKey }, START);
  assert.equal(res.status, 502);
  assert.match(res.json.message, /sense\.cert/);
});

test('an unreadable certificate file → an error naming the setting and the file', async () => {
  const res = await startWith({ cert: '/nonexistent/client.pem' }, START);
  assert.ok(res.status === 502 || res.status === 503, String(res.status));
  assert.match(res.json.message, /sense\.cert/);
  assert.match(res.json.message, /\/nonexistent\/client\.pem/);
});
