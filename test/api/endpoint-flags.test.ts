/** `api.endpoints` switches operations off: 404 ENDPOINT_DISABLED, and #1 stops listing them. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startProductHost, type ProductHost } from '../helpers/product-host';

let api: ProductHost;

before(async () => {
  api = await startProductHost({
    config: { api: { endpoints: { butlerping: false, scheduler: { getSchedule: false } } } },
  });
});
after(async () => {
  await api?.close();
});

test('a disabled endpoint answers 404 ENDPOINT_DISABLED, also through a method override', async () => {
  const direct = await api.call('/v4/butlerping');
  assert.equal(direct.status, 404);
  assert.equal((direct.json as { code: string }).code, 'ENDPOINT_DISABLED');
  const overridden = await api.call('/v4/butlerping', {
    method: 'POST',
    headers: { 'X-HTTP-Method-Override': 'GET' },
  });
  assert.equal(overridden.status, 404);
  assert.equal((overridden.json as { code: string }).code, 'ENDPOINT_DISABLED');
});

test('the enabled list leaves out disabled names, nested ones included', async () => {
  const res = await api.call('/v4/configfile/endpointsenabled');
  const names = res.json as string[];
  assert.equal(names.includes('butlerping'), false);
  assert.equal(names.includes('getSchedule'), false);
  assert.equal(names.includes('createNewSchedule'), true);
  assert.equal(names.length, 23);
});

test('other endpoints keep working', async () => {
  assert.equal((await api.call('/v4/base62tobase16?base62=Ik')).status, 200);
});
