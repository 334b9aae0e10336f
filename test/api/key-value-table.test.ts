/**
 * The key-value endpoints on the embedded host with `state.backend: table` against Azurite: the same
 * wire behaviour, and data kept in the table across a host restart.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startAzurite, type Azurite } from '../helpers/azurite';
import { startProductHost, type ProductHost } from '../helpers/product-host';

let azurite: Azurite | undefined;
let skip: string | undefined;
let api: ProductHost | undefined;

before(async () => {
  const started = await startAzurite();
  azurite = started.azurite;
  skip = started.skip;
});
after(async () => {
  await api?.close();
  await azurite?.stop();
});

const start = () =>
  startProductHost({
    config: {
      state: {
        backend: 'table',
        table: { connectionString: azurite!.connectionString, tablePrefix: 'hostkv' },
      },
      keyValueStore: { maxKeysPerNamespace: 2 },
    },
  });

test('KV endpoints on the table backend, and a restart keeps the data', async (t) => {
  if (skip) return t.skip(skip);
  api = await start();
  const ns = encodeURIComponent('Reload Params #1');
  const created = await api.call(`/v4/keyvalues/${ns}`, {
    method: 'POST',
    body: { key: 'run/1?', value: 'ü 🦆', ttl: '600000' },
  });
  assert.equal(created.status, 201, created.text);
  assert.deepEqual(created.json, {
    namespace: 'Reload Params #1',
    key: 'run/1?',
    value: 'ü 🦆',
    ttl: 600000,
  });
  await api.call(`/v4/keyvalues/${ns}`, { method: 'POST', body: { key: 'b', value: '2' } });
  const full = await api.call(`/v4/keyvalues/${ns}`, { method: 'POST', body: { key: 'c', value: '3' } });
  assert.equal(full.status, 409);
  assert.equal((full.json as { code: string }).code, 'KV_NAMESPACE_FULL');

  await api.close();
  api = await start();
  assert.deepEqual((await api.call('/v4/keyvaluesnamespaces')).json, ['Reload Params #1']);
  assert.deepEqual((await api.call(`/v4/keyvalues/${ns}?key=${encodeURIComponent('run/1?')}`)).json, {
    namespace: 'Reload Params #1',
    key: 'run/1?',
    value: 'ü 🦆',
  });
  assert.deepEqual((await api.call(`/v4/keylist/${ns}`)).json, {
    namespace: 'Reload Params #1',
    keys: [{ key: 'run/1?' }, { key: 'b' }],
  });
  const deleted = await api.call(`/v4/keyvalues/${ns}/b`, {
    method: 'POST',
    headers: { 'x-http-method-override': 'DELETE' },
  });
  assert.equal(deleted.status, 204);
  assert.equal((await api.call(`/v4/keyvalues/${ns}`, { method: 'DELETE' })).status, 204);
  assert.deepEqual((await api.call('/v4/keyvaluesnamespaces')).json, []);
});
