/** Without Sense settings the product starts; Sense features answer 503 naming what is missing. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startProductHost, type ProductHost } from '../helpers/product-host';

let api: ProductHost;
const APP = '2df00ce7-6013-4dd9-9705-b29be428b20a';

before(async () => {
  api = await startProductHost();
});
after(async () => {
  await api?.close();
});

for (const [method, path] of [
  ['PUT', '/v4/reloadtask/2df00ce7-6013-4dd9-9705-b29be428b20a/start'],
  ['PUT', `/v4/app/${APP}/reload`],
  ['GET', `/v4/app/${APP}/dump`],
  ['GET', `/v4/senseappdump/${APP}`],
  ['GET', '/v4/apps/list'],
  ['GET', '/v4/senselistapps'],
] as const) {
  test(`${method} ${path} → 503 NOT_CONFIGURED naming sense.host`, async () => {
    const res = await api.call(path, { method });
    assert.equal(res.status, 503);
    const json = res.json as { code: string; message: string };
    assert.equal(json.code, 'NOT_CONFIGURED');
    assert.match(json.message, /sense\.host/);
  });
}

test('a task start with only key-value items needs no Sense', async () => {
  const res = await api.call('/v4/reloadtask/-/start', {
    method: 'PUT',
    body: [{ type: 'keyvaluestore', payload: { namespace: 'n', key: 'k', value: 'v' } }],
  });
  assert.equal(res.status, 200);
});
