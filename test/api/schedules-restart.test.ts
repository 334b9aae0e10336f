/**
 * Schedules and their start/stop state survive a host restart on the file backend: stop the host,
 * start a new one on the same state directory, and everything is as it was.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startProductHost, type ProductHost } from '../helpers/product-host';

const TASK = 'fb0f317d-da91-4b86-aafa-0174ae1e8c8f';
let stateDir: string;
let api: ProductHost | undefined;

before(async () => {
  stateDir = await mkdtemp(path.join(os.tmpdir(), 'butler-sched-state-'));
});
after(async () => {
  await api?.close();
  await rm(stateDir, { recursive: true, force: true });
});

const host = () => startProductHost({ config: { state: { backend: 'file', dir: stateDir } } });

interface Schedule {
  id: string;
  lastKnownState: string;
  [field: string]: unknown;
}

test('lastKnownState set by start/stop is restored after a restart (not recomputed from startupState)', async () => {
  api = await host();
  const make = async (startupState: string) => {
    const res = await api!.call('/v4/schedules', {
      method: 'POST',
      body: {
        name: startupState,
        cronSchedule: '0 0 1 1 *',
        timezone: 'UTC',
        qlikSenseTaskId: TASK,
        startupState,
        tags: ['t'],
      },
    });
    assert.equal(res.status, 201);
    return res.json as Schedule;
  };
  const wasStarted = await make('started');
  const wasStopped = await make('stopped');
  const deleted = await make('stopped');
  assert.equal((await api.call(`/v4/schedules/${wasStarted.id}/stop`, { method: 'PUT' })).status, 200);
  assert.equal((await api.call(`/v4/schedules/${wasStopped.id}/start`, { method: 'PUT' })).status, 200);
  assert.equal((await api.call(`/v4/schedules/${deleted.id}`, { method: 'DELETE' })).status, 204);
  const beforeRestart = (await api.call('/v4/schedules')).json as Schedule[];
  await api.close();

  api = await host();
  const afterRestart = (await api.call('/v4/schedules')).json as Schedule[];
  assert.deepEqual(afterRestart, beforeRestart);
  assert.deepEqual(
    afterRestart.map((s) => [s.id, s.lastKnownState]),
    [
      [wasStarted.id, 'stopped'],
      [wasStopped.id, 'started'],
    ],
  );
  const status = (await api.call('/v4/schedules/status')).json as { id: string; status: string }[];
  assert.deepEqual(
    status.map((s) => s.status),
    ['Stopped', 'Running'],
  );
});
