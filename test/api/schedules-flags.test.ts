/** The scheduler's enable flags: each operation of the shared `schedules/{x}` path has its own. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startProductHost, type ProductHost } from '../helpers/product-host';

let api: ProductHost;
before(async () => {
  api = await startProductHost({
    config: {
      state: { backend: 'memory' },
      api: {
        endpoints: {
          scheduler: { updateSchedule: false, getScheduleStatusAll: false, deleteSchedule: false },
        },
      },
    },
  });
});
after(async () => {
  await api?.close();
});

test('a disabled operation answers 404 ENDPOINT_DISABLED; its path neighbours still work', async () => {
  const created = await api.call('/v4/schedules', {
    method: 'POST',
    body: {
      name: 'n',
      cronSchedule: '0 0 1 1 *',
      timezone: 'UTC',
      qlikSenseTaskId: 'fb0f317d-da91-4b86-aafa-0174ae1e8c8f',
      startupState: 'stopped',
    },
  });
  assert.equal(created.status, 201);
  const id = (created.json as { id: string }).id;
  const update = await api.call(`/v4/schedules/${id}`, { method: 'PUT', body: {} });
  assert.equal(update.status, 404);
  assert.equal((update.json as { code: string }).code, 'ENDPOINT_DISABLED');
  assert.match((update.json as { message: string }).message, /updateSchedule/);
  assert.equal(((await api.call('/v4/schedules/status')).json as { code: string }).code, 'ENDPOINT_DISABLED');
  assert.equal(
    ((await api.call(`/v4/schedules/${id}`, { method: 'DELETE' })).json as { code: string }).code,
    'ENDPOINT_DISABLED',
  );
  assert.equal((await api.call('/v4/schedules/startall', { method: 'PUT' })).status, 200);
  assert.equal((await api.call('/v4/schedules/stopall', { method: 'PUT' })).status, 200);
  assert.equal((await api.call(`/v4/schedules/${id}/start`, { method: 'PUT' })).status, 200);
});
