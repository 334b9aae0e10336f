/**
 * The scheduler endpoints (#20-#27, E1) on the embedded host over real HTTP: every path with its
 * real verb and with POST + X-HTTP-Method-Override, bodies, status codes and bad input.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { startProductHost, type ProductHost } from '../helpers/product-host';

const TASK = 'fb0f317d-da91-4b86-aafa-0174ae1e8c8f';
const UNKNOWN = 'd3b07384-d9a0-4c9b-8f3e-000000000000';

interface Schedule {
  id: string;
  created: string;
  name: string;
  cronSchedule: string;
  timezone: string;
  qlikSenseTaskId: string;
  startupState: string;
  lastKnownState: string;
  tags?: string[];
  [extra: string]: unknown;
}

let api: ProductHost;
before(async () => {
  // No Sense: these tests never fire (stopped schedules, or crons that are not due during the test).
  api = await startProductHost({ config: { state: { backend: 'memory' } } });
});
after(async () => {
  await api?.close();
});

const NEVER_SOON = '0 0 1 1 *';

function create(over: Record<string, unknown> = {}) {
  return api.call('/v4/schedules', {
    method: 'POST',
    body: {
      name: 'Nightly sales',
      cronSchedule: NEVER_SOON,
      timezone: 'Europe/Stockholm',
      qlikSenseTaskId: TASK,
      startupState: 'stopped',
      ...over,
    },
  });
}

async function created(over: Record<string, unknown> = {}): Promise<Schedule> {
  const res = await create(over);
  assert.equal(res.status, 201, res.text);
  return res.json as Schedule;
}

/** POST with X-HTTP-Method-Override, as the Qlik REST connector sends PUT and DELETE. */
function override(method: string, path: string, body?: object) {
  return api.call(path, { method: 'POST', headers: { 'x-http-method-override': method }, body });
}

function assertError(res: { status: number; json: unknown }, status: number, code: string, message?: RegExp) {
  assert.equal(res.status, status, JSON.stringify(res.json));
  const body = res.json as { statusCode: number; code: string; message: string };
  assert.equal(body.statusCode, status);
  assert.equal(body.code, code);
  if (message) assert.match(body.message, message);
}

describe('create and read', () => {
  test('POST creates: 201 JSON object with server fields; extra fields kept; client id replaced', async () => {
    const res = await create({ startupState: 'start', tags: ['sales', 'nightly'], owner: 'ops', id: 'mine' });
    assert.equal(res.status, 201);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    const s = res.json as Schedule;
    assert.match(s.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.ok(Math.abs(Date.parse(s.created) - Date.now()) < 60_000);
    assert.equal(s.lastKnownState, 'started');
    assert.equal(s.startupState, 'start');
    assert.deepEqual(s.tags, ['sales', 'nightly']);
    assert.equal(s.owner, 'ops');

    const one = await api.call(`/v4/schedules?id=${s.id}`);
    assert.equal(one.status, 200);
    assert.deepEqual(one.json, [s]);
    const all = await api.call('/v4/schedules');
    assert.ok((all.json as Schedule[]).some((x) => x.id === s.id));
    const viaOverride = await override('GET', `/v4/schedules?id=${s.id}`);
    assert.deepEqual(viaOverride.json, [s]);
    await api.call(`/v4/schedules/${s.id}`, { method: 'DELETE' });
  });

  test('unknown id → 404 SCHEDULE_NOT_FOUND naming it', async () => {
    assertError(
      await api.call(`/v4/schedules?id=${UNKNOWN}`),
      404,
      'SCHEDULE_NOT_FOUND',
      new RegExp(UNKNOWN),
    );
    assertError(await api.call('/v4/schedules?id=nope'), 404, 'SCHEDULE_NOT_FOUND');
  });

  test('bad input names the field and stores nothing', async () => {
    const before = ((await api.call('/v4/schedules')).json as Schedule[]).length;
    assertError(await create({ cronSchedule: '61 * * * *' }), 400, 'SCHEDULE_INVALID_CRON', /cronSchedule/);
    assertError(await create({ cronSchedule: '* * *' }), 400, 'SCHEDULE_INVALID_CRON', /cronSchedule/);
    assertError(await create({ timezone: 'Mars/Olympus' }), 400, 'SCHEDULE_INVALID_TIMEZONE', /timezone/);
    assertError(await create({ qlikSenseTaskId: 'task-1' }), 400, 'VALIDATION', /body\/qlikSenseTaskId/);
    assertError(
      await create({ startupState: 'running' }),
      400,
      'VALIDATION',
      /body\/startupState must be equal to one of the allowed values/,
    );
    assertError(await create({ name: { a: 1 } }), 400, 'VALIDATION', /body\/name must be string/);
    assertError(await create({ tags: [{ a: 1 }] }), 400, 'VALIDATION', /body\/tags\/0 must be string/);
    assertError(
      await create({ cronSchedule: undefined }),
      400,
      'VALIDATION',
      /required property 'cronSchedule'/,
    );
    assertError(
      await api.call('/v4/schedules', { method: 'POST' }),
      400,
      'VALIDATION',
      /^body must be object/,
    );
    assertError(await api.call('/v4/schedules', { method: 'POST', body: '{"name":' }), 400, 'INVALID_JSON');
    assertError(await api.call(`/v4/schedules?id=${'x'.repeat(101)}`), 400, 'VALIDATION', /querystring\/id/);
    assert.equal(((await api.call('/v4/schedules')).json as Schedule[]).length, before);
  });
});

describe('start, stop, update, delete', () => {
  test('start/stop with PUT and with POST + override answer a one-element array', async () => {
    const s = await created();
    const started = await api.call(`/v4/schedules/${s.id}/start`, { method: 'PUT' });
    assert.equal(started.status, 200);
    assert.deepEqual(started.json, [{ ...s, lastKnownState: 'started' }]);
    const again = await override('PUT', `/v4/schedules/${s.id}/start`);
    assert.deepEqual(again.json, [{ ...s, lastKnownState: 'started' }]);
    const stopped = await override('PUT', `/v4/schedules/${s.id}/stop`);
    assert.deepEqual(stopped.json, [{ ...s, lastKnownState: 'stopped' }]);
    assertError(
      await api.call(`/v4/schedules/${UNKNOWN}/start`, { method: 'PUT' }),
      404,
      'SCHEDULE_NOT_FOUND',
    );
    assertError(await override('PUT', `/v4/schedules/${UNKNOWN}/stop`), 404, 'SCHEDULE_NOT_FOUND');
    assertError(await api.call(`/v4/schedules/${s.id}/start`, { method: 'POST' }), 404, 'ROUTE_NOT_FOUND');
  });

  test('startall / stopall change every schedule and answer them all (segment case-insensitive)', async () => {
    await created();
    await created({ startupState: 'started' });
    const all = await api.call('/v4/schedules/startall', { method: 'PUT' });
    assert.equal(all.status, 200);
    const list = all.json as Schedule[];
    assert.ok(list.length >= 2);
    assert.ok(list.every((x) => x.lastKnownState === 'started'));
    const none = await override('PUT', '/v4/schedules/StopAll');
    assert.ok((none.json as Schedule[]).every((x) => x.lastKnownState === 'stopped'));
    assert.deepEqual(
      ((await api.call('/v4/schedules')).json as Schedule[]).map((x) => x.lastKnownState),
      list.map(() => 'stopped'),
    );
  });

  test('status answers JSON: Running with nextRun, Stopped with null', async () => {
    const s = await created({ startupState: 'started', cronSchedule: '0 6 * * 1-5' });
    const res = await api.call('/v4/schedules/status');
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    const row = (res.json as { id: string; status: string; nextRun: string | null }[]).find(
      (x) => x.id === s.id,
    );
    assert.equal(row?.status, 'Running');
    assert.ok(row?.nextRun && Date.parse(row.nextRun) > Date.now());
    await api.call(`/v4/schedules/${s.id}/stop`, { method: 'PUT' });
    const viaOverride = await override('GET', '/v4/schedules/status');
    const stopped = (viaOverride.json as { id: string; status: string; nextRun: unknown }[]).find(
      (x) => x.id === s.id,
    );
    assert.deepEqual([stopped?.status, stopped?.nextRun], ['Stopped', null]);
    assertError(await api.call('/v4/schedules/other'), 404, 'ROUTE_NOT_FOUND');
  });

  test('PUT /v4/schedules/{id} updates (E1): keeps id, created, lastKnownState', async () => {
    const s = await created({ startupState: 'started', owner: 'ops' });
    const body = {
      name: 'Renamed',
      cronSchedule: '*/15 * * * *',
      timezone: 'UTC',
      qlikSenseTaskId: TASK,
      startupState: 'stopped',
      team: 'bi',
    };
    const res = await api.call(`/v4/schedules/${s.id}`, { method: 'PUT', body });
    assert.equal(res.status, 200);
    const updated = res.json as Schedule;
    assert.deepEqual(updated, { ...body, id: s.id, created: s.created, lastKnownState: 'started' });
    const viaOverride = await override('PUT', `/v4/schedules/${s.id}`, { ...body, name: 'Again' });
    assert.equal((viaOverride.json as Schedule).name, 'Again');
    assertError(await override('PUT', `/v4/schedules/${UNKNOWN}`, body), 404, 'SCHEDULE_NOT_FOUND');
    assertError(
      await api.call(`/v4/schedules/${s.id}`, { method: 'PUT', body: { ...body, cronSchedule: 'x' } }),
      400,
      'SCHEDULE_INVALID_CRON',
    );
    assertError(
      await api.call(`/v4/schedules/${s.id}`, { method: 'PUT', body: { ...body, timezone: 'CEST+1' } }),
      400,
      'SCHEDULE_INVALID_TIMEZONE',
    );
    assertError(
      await api.call(`/v4/schedules/${s.id}`, { method: 'PUT' }),
      400,
      'VALIDATION',
      /^body must be object/,
    );
    assert.equal(((await api.call(`/v4/schedules?id=${s.id}`)).json as Schedule[])[0]?.name, 'Again');
  });

  test('DELETE with the verb and with POST + override (no body): 204, then 404', async () => {
    const a = await created();
    const b = await created();
    const del = await api.call(`/v4/schedules/${a.id}`, { method: 'DELETE' });
    assert.equal(del.status, 204);
    assert.equal(del.text, '');
    assert.equal((await override('DELETE', `/v4/schedules/${b.id}`)).status, 204);
    assertError(await api.call(`/v4/schedules?id=${a.id}`), 404, 'SCHEDULE_NOT_FOUND');
    assertError(await override('DELETE', `/v4/schedules/${b.id}`), 404, 'SCHEDULE_NOT_FOUND');
    assertError(await api.call('/v4/schedules/status', { method: 'DELETE' }), 404, 'SCHEDULE_NOT_FOUND');
  });
});

describe('firing without Sense', () => {
  test('a due schedule records a failed run naming the missing setting', async () => {
    const s = await created({ startupState: 'started', cronSchedule: '* * * * * *' });
    const deadline = Date.now() + 20_000;
    let lastRun: { status: string; error?: string } | undefined;
    while (!lastRun) {
      assert.ok(Date.now() < deadline, 'the schedule never fired');
      await sleep(100);
      lastRun = ((await api.call(`/v4/schedules?id=${s.id}`)).json as Schedule[])[0]
        ?.lastRun as typeof lastRun;
    }
    await api.call(`/v4/schedules/${s.id}`, { method: 'DELETE' });
    assert.equal(lastRun.status, 'failed');
    assert.match(lastRun.error ?? '', /^NOT_CONFIGURED: .*sense\.host/);
  });
});
