/**
 * Firing: the runner over the memory state store with an injected clock and a recording task
 * starter (the Sense path itself is covered by test/api/schedules-firing.test.ts).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileCron } from '../../shared/scheduler/cron';
import { parseScheduleInput } from '../../shared/scheduler/input';
import { ScheduleRunner, type TaskStartResult } from '../../shared/scheduler/runner';
import { ScheduleService } from '../../shared/scheduler/service';
import { CLAIM_PARTITION, CLAIMS_TABLE } from '../../shared/scheduler/store';
import { createMemoryStateStore } from '../../shared/state/memory-store';
import type { StateStore } from '../../shared/state/store';
import { silentLogger } from '../../shared/log';

const TASK = 'fb0f317d-da91-4b86-aafa-0174ae1e8c8f';

function harness(start: string, result: TaskStartResult = { ok: true, executionId: 'exec-1' }) {
  const clock = { now: new Date(start) };
  const now = () => clock.now;
  const store = createMemoryStateStore();
  const started: string[] = [];
  const runner = (s: StateStore = store) =>
    new ScheduleRunner(s, {
      now,
      log: silentLogger,
      startTask: (taskId) => {
        started.push(`${taskId}@${clock.now.toISOString()}`);
        return Promise.resolve(result);
      },
    });
  return {
    clock,
    store,
    started,
    svc: new ScheduleService(store, { now }),
    runner,
    at(iso: string) {
      clock.now = new Date(iso);
    },
  };
}

function body(cronSchedule: string, over: Record<string, unknown> = {}) {
  return parseScheduleInput({
    name: 'n',
    cronSchedule,
    timezone: 'UTC',
    qlikSenseTaskId: TASK,
    startupState: 'started',
    ...over,
  });
}

describe('schedule runner', () => {
  test('each occurrence fires once; nothing at or before the schedule was started', async () => {
    const h = harness('2026-01-15T10:00:00.500Z');
    const s = await h.svc.create(body('*/2 * * * * *'));
    const r = h.runner();
    assert.deepEqual(await r.tick(), [], 'the 10:00:00 occurrence predates the schedule');
    h.at('2026-01-15T10:00:01.900Z');
    assert.deepEqual(await r.tick(), []);
    h.at('2026-01-15T10:00:02.010Z');
    const fired = await r.tick();
    assert.deepEqual(
      fired.map((f) => [f.scheduleId, f.occurrence]),
      [[s.id, '2026-01-15T10:00:02.000Z']],
    );
    h.at('2026-01-15T10:00:02.900Z');
    assert.deepEqual(await r.tick(), [], 'a second tick in the same second fires nothing');
    h.at('2026-01-15T10:00:04.000Z');
    assert.equal((await r.tick())[0]?.occurrence, '2026-01-15T10:00:04.000Z');
    assert.equal(h.started.length, 2);
    const lastRun = (await h.svc.get(s.id)).lastRun;
    assert.deepEqual(lastRun, {
      occurrence: '2026-01-15T10:00:04.000Z',
      at: '2026-01-15T10:00:04.000Z',
      status: 'started',
      executionId: 'exec-1',
    });
  });

  test('two runners on one state: every occurrence starts its task exactly once', async () => {
    const h = harness('2026-01-15T10:00:00.000Z');
    await h.svc.create(body('* * * * * *'));
    await h.svc.create(body('*/3 * * * * *', { qlikSenseTaskId: 'a9c8d7e6-1111-4222-8333-944455556666' }));
    const a = h.runner();
    const b = h.runner();
    for (let ms = 1000; ms <= 12_000; ms += 250) {
      h.at(new Date(Date.parse('2026-01-15T10:00:00.000Z') + ms).toISOString());
      await Promise.all([a.tick(), b.tick()]);
    }
    // 12 per-second occurrences + 4 every-third-second ones
    assert.equal(h.started.length, 16);
    assert.equal(new Set(h.started).size, 16);
  });

  test('a claim held by another host keeps this one from firing', async () => {
    const h = harness('2026-01-15T10:00:00.000Z');
    const s = await h.svc.create(body('* * * * * *'));
    await h.store
      .table(CLAIMS_TABLE)
      .insert(CLAIM_PARTITION, `${s.id}|2026-01-15T10:00:01.000Z`, { scheduleId: s.id });
    h.at('2026-01-15T10:00:01.100Z');
    assert.deepEqual(await h.runner().tick(), []);
    assert.equal(h.started.length, 0);
  });

  test('stopped schedules never fire, and starting again does not replay the stopped time', async () => {
    const h = harness('2026-01-15T10:00:00.000Z');
    const s = await h.svc.create(body('0 * * * * *', { startupState: 'stopped' }));
    const r = h.runner();
    h.at('2026-01-15T10:03:00.000Z');
    assert.deepEqual(await r.tick(), []);
    await h.svc.setState(s.id, 'started');
    h.at('2026-01-15T10:03:30.000Z');
    assert.deepEqual(await r.tick(), []);
    h.at('2026-01-15T10:04:00.000Z');
    assert.equal((await r.tick()).length, 1);
    await h.svc.setState(s.id, 'stopped');
    h.at('2026-01-15T10:05:00.000Z');
    assert.deepEqual(await r.tick(), []);
  });

  test('occurrences missed while every host was down fire once: the latest only', async () => {
    const h = harness('2026-01-15T09:59:30.000Z');
    const s = await h.svc.create(body('* * * * *'));
    h.at('2026-01-15T10:00:00.000Z');
    assert.equal((await h.runner().tick()).length, 1);
    // down from 10:00:01 to 10:05:30; a fresh runner stands for the restarted host
    h.at('2026-01-15T10:05:30.000Z');
    const restarted = h.runner();
    const fired = await restarted.tick();
    assert.deepEqual(
      fired.map((f) => f.occurrence),
      ['2026-01-15T10:05:00.000Z'],
    );
    h.at('2026-01-15T10:05:45.000Z');
    assert.deepEqual(await restarted.tick(), []);
    assert.equal((await h.svc.get(s.id)).lastRun?.occurrence, '2026-01-15T10:05:00.000Z');
  });

  test('a failed start is recorded on the schedule', async () => {
    const h = harness('2026-01-15T10:00:00.000Z', { ok: false, error: 'no such task in Sense' });
    const s = await h.svc.create(body('* * * * * *'));
    h.at('2026-01-15T10:00:01.000Z');
    await h.runner().tick();
    assert.deepEqual((await h.svc.get(s.id)).lastRun, {
      occurrence: '2026-01-15T10:00:01.000Z',
      at: '2026-01-15T10:00:01.000Z',
      status: 'failed',
      executionId: null,
      error: 'no such task in Sense',
    });
  });

  test('time zones and DST: 02:30 Stockholm fires at 03:00 CEST on the spring-forward day', async () => {
    const h = harness('2026-03-28T00:00:00.000Z');
    await h.svc.create(body('30 2 * * *', { timezone: 'Europe/Stockholm' }));
    const r = h.runner();
    const fired: string[] = [];
    for (
      let t = Date.parse('2026-03-28T00:00:00Z');
      t <= Date.parse('2026-03-30T12:00:00Z');
      t += 15 * 60_000
    ) {
      h.at(new Date(t).toISOString());
      fired.push(...(await r.tick()).map((f) => f.occurrence));
    }
    assert.deepEqual(fired, [
      '2026-03-28T01:30:00.000Z', // 02:30 CET
      '2026-03-29T01:00:00.000Z', // 02:30 does not exist: 03:00 CEST
      '2026-03-30T00:30:00.000Z', // 02:30 CEST
    ]);
  });

  test('old claims are cleaned once a later firing is recorded or their schedule is gone', async () => {
    const h = harness('2026-01-15T10:00:00.000Z');
    const keep = await h.svc.create(body('0 * * * * *'));
    const gone = await h.svc.create(body('0 * * * * *'));
    const r = h.runner();
    h.at('2026-01-15T10:01:00.000Z');
    await r.tick();
    h.at('2026-01-15T10:02:00.000Z');
    await r.tick();
    await h.svc.remove(gone.id);
    const claims = () =>
      h.store
        .table<{ occurrence: string }>(CLAIMS_TABLE)
        .list(CLAIM_PARTITION)
        .then((all) => all.map((c) => c.row).sort());
    assert.equal((await claims()).length, 4);
    h.at('2026-01-15T10:30:00.500Z');
    await r.tick();
    assert.deepEqual(await claims(), [`${keep.id}|2026-01-15T10:30:00.000Z`]);
  });
});

describe('runner and API changes', () => {
  test('a long failure text is kept as a bounded excerpt', async () => {
    const h = harness('2026-01-15T10:00:00.000Z', { ok: false, error: 'e'.repeat(5000) });
    const s = await h.svc.create(body('* * * * * *'));
    h.at('2026-01-15T10:00:01.000Z');
    await h.runner().tick();
    const error = (await h.svc.get(s.id)).lastRun?.error ?? '';
    assert.equal(error.length, 500);
    assert.ok(error.endsWith('…'));
  });

  test('recording a firing never overwrites a concurrent change (ETag retry)', async () => {
    const h = harness('2026-01-15T10:00:00.000Z');
    const s = await h.svc.create(body('* * * * * *'));
    // Another host stops the schedule between this host's read and its write of lastRun.
    let interfered = false;
    const racing: StateStore = {
      backend: 'racing',
      table<T>(name: string) {
        const table = h.store.table<T>(name);
        if (name !== 'schedules') return table;
        return {
          ...table,
          put: async (partition: string, row: string, value: T, etag?: string) => {
            if (!interfered && etag !== undefined) {
              interfered = true;
              await h.svc.setState(s.id, 'stopped');
            }
            return table.put(partition, row, value, etag);
          },
        };
      },
      close: () => Promise.resolve(),
    };
    h.at('2026-01-15T10:00:01.000Z');
    assert.equal((await h.runner(racing).tick()).length, 1);
    assert.ok(interfered);
    const after = await h.svc.get(s.id);
    assert.equal(after.lastKnownState, 'stopped', 'the concurrent stop survived');
    assert.equal(after.lastRun?.occurrence, '2026-01-15T10:00:01.000Z', 'and so did the firing record');
  });

  test("changing the cron of a started schedule does not fire the new cron's past occurrences", async () => {
    const h = harness('2026-01-15T10:00:00.000Z');
    const s = await h.svc.create(body('0 0 1 1 *'));
    const r = h.runner();
    h.at('2026-01-15T10:20:30.000Z');
    assert.deepEqual(await r.tick(), []);
    await h.svc.update(s.id, body('*/15 * * * *'));
    assert.deepEqual(await r.tick(), [], '10:15 came before the change');
    h.at('2026-01-15T10:30:00.000Z');
    assert.equal((await r.tick())[0]?.occurrence, '2026-01-15T10:30:00.000Z');
  });
});

describe('cron semantics', () => {
  test('day-of-month OR day-of-week (Vixie cron), months 1-12', () => {
    const cron = compileCron('0 0 13 * 5', 'UTC');
    const runs: string[] = [];
    let at = new Date('2026-03-31T00:00:00Z');
    for (let i = 0; i < 3; i++) {
      at = cron.next(at)!;
      runs.push(at.toISOString().slice(0, 10));
    }
    assert.deepEqual(runs, ['2026-04-03', '2026-04-10', '2026-04-13']);
    assert.equal(
      compileCron('0 0 1 12 *', 'UTC').next(new Date('2026-01-01T00:00:00Z'))?.toISOString(),
      '2026-12-01T00:00:00.000Z',
    );
  });

  test('fall-back day: a fixed time fires once, an hourly wildcard at both 02:30s', () => {
    const runs = (expression: string, from: string, n: number) => {
      const cron = compileCron(expression, 'Europe/Stockholm');
      const out: string[] = [];
      let at = new Date(from);
      for (let i = 0; i < n; i++) {
        at = cron.next(at)!;
        out.push(at.toISOString());
      }
      return out;
    };
    assert.deepEqual(runs('30 2 * * *', '2026-10-24T12:00:00Z', 2), [
      '2026-10-25T00:30:00.000Z', // 02:30 CEST, once
      '2026-10-26T01:30:00.000Z', // 02:30 CET
    ]);
    assert.deepEqual(runs('30 * * * *', '2026-10-25T00:00:00Z', 2), [
      '2026-10-25T00:30:00.000Z', // 02:30 CEST
      '2026-10-25T01:30:00.000Z', // 02:30 CET
    ]);
  });
});
