/** The schedule service over the memory state store, with an injected clock (no sockets). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ApiError } from '../../shared/http/errors';
import { parseScheduleInput } from '../../shared/scheduler/input';
import { ScheduleService } from '../../shared/scheduler/service';
import { createMemoryStateStore } from '../../shared/state/memory-store';

const TASK = 'fb0f317d-da91-4b86-aafa-0174ae1e8c8f';

function input(over: Record<string, unknown> = {}) {
  return parseScheduleInput({
    name: 'Nightly',
    cronSchedule: '0 2 * * *',
    timezone: 'Europe/Stockholm',
    qlikSenseTaskId: TASK,
    startupState: 'started',
    ...over,
  });
}

function rejectsWith(code: string, message?: RegExp) {
  return (err: unknown) => {
    assert.ok(err instanceof ApiError, String(err));
    assert.equal(err.code, code);
    if (message) assert.match(err.message, message);
    return true;
  };
}

function service(now = new Date('2026-01-15T10:00:00Z'), maxSchedules?: number) {
  const clock = { now };
  return {
    clock,
    svc: new ScheduleService(createMemoryStateStore(), { now: () => clock.now, maxSchedules }),
  };
}

describe('schedule input', () => {
  test('invalid cron, unknown zone, bad task id and wrong types name the field', () => {
    assert.throws(
      () => input({ cronSchedule: 'not a cron' }),
      rejectsWith('SCHEDULE_INVALID_CRON', /cronSchedule/),
    );
    assert.throws(() => input({ cronSchedule: '* * * * * * *' }), rejectsWith('SCHEDULE_INVALID_CRON'));
    assert.throws(() => input({ cronSchedule: '0 0 * 13 *' }), rejectsWith('SCHEDULE_INVALID_CRON'));
    assert.throws(() => input({ cronSchedule: '0 0 31 2 *' }), rejectsWith('SCHEDULE_INVALID_CRON', /never/));
    assert.throws(() => input({ cronSchedule: '? * * * *' }), rejectsWith('SCHEDULE_INVALID_CRON', /\?/));
    assert.throws(
      () => input({ timezone: 'Nowhere/Bad' }),
      rejectsWith('SCHEDULE_INVALID_TIMEZONE', /timezone/),
    );
    assert.throws(() => input({ qlikSenseTaskId: 'abc' }), rejectsWith('VALIDATION', /qlikSenseTaskId/));
    assert.throws(() => input({ startupState: 'on' }), rejectsWith('VALIDATION', /startupState/));
    assert.throws(() => input({ tags: [{}] }), rejectsWith('VALIDATION', /tags\/0/));
    assert.throws(() => input({ name: undefined }), rejectsWith('VALIDATION', /'name'/));
    assert.throws(() => input({ name: 'x'.repeat(201) }), rejectsWith('VALIDATION', /name/));
  });

  test('5 and 6 fields, names, upper-case GUIDs and coerced scalars are accepted', () => {
    assert.equal(input({ cronSchedule: '*/10 * * * * *' }).cronSchedule, '*/10 * * * * *');
    assert.equal(input({ cronSchedule: '0 6 * jan-mar mon-fri' }).cronSchedule, '0 6 * jan-mar mon-fri');
    assert.equal(input({ qlikSenseTaskId: TASK.toUpperCase() }).qlikSenseTaskId, TASK.toUpperCase());
    assert.equal(input({ name: 42 }).name, '42');
    assert.deepEqual(input({ tags: 'one' }).tags, ['one']);
  });
});

describe('schedule service', () => {
  test('create sets id, created and lastKnownState, keeps extra fields, replaces server fields', async () => {
    const { svc } = service();
    const created = await svc.create(
      input({ startupState: 'start', id: 'mine', lastKnownState: 'stopped', owner: 'ops', tags: ['a'] }),
    );
    assert.match(created.id, /^[0-9a-f-]{36}$/);
    assert.notEqual(created.id, 'mine');
    assert.equal(created.created, '2026-01-15T10:00:00.000Z');
    assert.equal(created.lastKnownState, 'started');
    assert.equal(created.startupState, 'start');
    assert.equal(created.owner, 'ops');
    assert.deepEqual(await svc.get(created.id), created);
    assert.deepEqual(await svc.get(created.id.toUpperCase()), created);
    const stopped = await svc.create(input({ startupState: 'stop' }));
    assert.equal(stopped.lastKnownState, 'stopped');
    assert.deepEqual(
      (await svc.list()).map((s) => s.id),
      [created.id, stopped.id],
    );
  });

  test('unknown or malformed ids are SCHEDULE_NOT_FOUND everywhere', async () => {
    const { svc } = service();
    const unknown = 'd3b07384-d9a0-4c9b-8f3e-000000000000';
    for (const id of [unknown, 'status', '../x']) {
      await assert.rejects(
        svc.get(id),
        rejectsWith('SCHEDULE_NOT_FOUND', new RegExp(id.replace('.', '\\.'))),
      );
      await assert.rejects(svc.remove(id), rejectsWith('SCHEDULE_NOT_FOUND'));
      await assert.rejects(svc.setState(id, 'started'), rejectsWith('SCHEDULE_NOT_FOUND'));
      await assert.rejects(svc.update(id, input()), rejectsWith('SCHEDULE_NOT_FOUND'));
    }
  });

  test('start/stop change lastKnownState idempotently; startall/stopall change every schedule', async () => {
    const { svc } = service();
    const a = await svc.create(input());
    const b = await svc.create(input({ startupState: 'stopped' }));
    assert.equal((await svc.setState(a.id, 'stopped')).lastKnownState, 'stopped');
    assert.equal((await svc.setState(a.id, 'stopped')).lastKnownState, 'stopped');
    assert.deepEqual(
      (await svc.setStateAll('started')).map((s) => [s.id, s.lastKnownState]),
      [
        [a.id, 'started'],
        [b.id, 'started'],
      ],
    );
    assert.deepEqual(
      (await svc.setStateAll('stopped')).map((s) => s.lastKnownState),
      ['stopped', 'stopped'],
    );
  });

  test('update replaces editable and extra fields, keeps id, created and lastKnownState', async () => {
    const { clock, svc } = service();
    const a = await svc.create(input({ startupState: 'stopped', owner: 'ops' }));
    clock.now = new Date('2026-01-16T00:00:00Z');
    const updated = await svc.update(
      a.id,
      input({ name: 'Renamed', startupState: 'started', created: 'x', team: 'bi' }),
    );
    assert.equal(updated.id, a.id);
    assert.equal(updated.created, a.created);
    assert.equal(updated.lastKnownState, 'stopped');
    assert.equal(updated.name, 'Renamed');
    assert.equal(updated.team, 'bi');
    assert.equal(updated.owner, undefined);
  });

  test('status reports Running with the next run in the zone, Stopped with null', async () => {
    const { svc } = service(new Date('2026-03-28T12:00:00Z'));
    const running = await svc.create(input({ cronSchedule: '30 2 * * *' }));
    const stopped = await svc.create(input({ startupState: 'stopped' }));
    const status = await svc.status();
    assert.deepEqual(status, [
      {
        id: running.id,
        name: 'Nightly',
        cronSchedule: '30 2 * * *',
        timezone: 'Europe/Stockholm',
        status: 'Running',
        // 02:30 does not exist on 29 March in Stockholm (DST starts): croner runs it at 03:00 CEST.
        nextRun: '2026-03-29T01:00:00.000Z',
      },
      {
        id: stopped.id,
        name: 'Nightly',
        cronSchedule: '0 2 * * *',
        timezone: 'Europe/Stockholm',
        status: 'Stopped',
        nextRun: null,
      },
    ]);
  });

  test('the count limit refuses a new schedule with 409 and stores nothing', async () => {
    const { svc } = service(undefined, 2);
    await svc.create(input());
    await svc.create(input());
    await assert.rejects(svc.create(input()), rejectsWith('STATE_CONFLICT', /At most 2/));
    assert.equal((await svc.list()).length, 2);
  });

  test('a stored schedule larger than the size limit is refused and nothing is written', async () => {
    const { svc } = service();
    await assert.rejects(
      svc.create(input({ notes: 'x'.repeat(20_000) })),
      rejectsWith('VALIDATION', /bytes/),
    );
    assert.equal((await svc.list()).length, 0);
    const a = await svc.create(input());
    await assert.rejects(svc.update(a.id, input({ notes: 'x'.repeat(20_000) })), rejectsWith('VALIDATION'));
    assert.equal((await svc.get(a.id)).notes, undefined);
  });

  test('delete removes the schedule', async () => {
    const { svc } = service();
    const a = await svc.create(input());
    await svc.remove(a.id);
    await assert.rejects(svc.get(a.id), rejectsWith('SCHEDULE_NOT_FOUND'));
  });
});
