/**
 * On the real host a failed appStart does not stop the worker: handlers then build the services on
 * first use, and a bad config must answer 503 naming the setting rather than a bare 500.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { getServices } from '../../shared/bootstrap';
import { ApiError } from '../../shared/http/errors';

let dir: string;

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'butler-bootstrap-'));
});
after(async () => {
  delete process.env.BUTLER_CONFIG_FILE;
  await rm(dir, { recursive: true, force: true });
});

test('a config error surfaces as NOT_CONFIGURED naming the JSON pointer', async () => {
  const file = path.join(dir, 'bad.json');
  await writeFile(file, JSON.stringify({ sense: { qrsPort: 'x' } }));
  process.env.BUTLER_CONFIG_FILE = file;
  assert.throws(
    () => getServices(),
    (err: unknown) =>
      err instanceof ApiError &&
      err.code === 'NOT_CONFIGURED' &&
      err.statusCode === 503 &&
      err.message.includes('/sense/qrsPort'),
  );
});

test('once the config is fixed, the services are built from it', async () => {
  const file = path.join(dir, 'good.json');
  await writeFile(file, JSON.stringify({ keyValueStore: { maxKeysPerNamespace: 7 }, state: { dir } }));
  process.env.BUTLER_CONFIG_FILE = file;
  const services = getServices();
  assert.equal(services.config.keyValueStore.maxKeysPerNamespace, 7);
  await services.close();
});
