/**
 * Task start on its own, against an in-memory task directory and the real key-value service on the
 * memory state store: selection by id, tag and custom property, the start filter, KV items written
 * before any start, and every failure path. No TLS, no sockets.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isApiError } from '../../shared/http/errors';
import { KeyValueService, type KvLimits } from '../../shared/kv/key-value-service';
import { KV_TABLE, type KvRecord } from '../../shared/kv/records';
import { createMemoryStateStore } from '../../shared/state/memory-store';
import { startFilter, type StartFilter } from '../../shared/tasks/start-filter';
import type { StartItem } from '../../shared/tasks/start-request';
import { startTasks, type StartRequest } from '../../shared/tasks/start-tasks';
import { TaskNameCache } from '../../shared/tasks/task-name-cache';
import { FakeTaskDirectory } from '../helpers/fake-task-directory';

const A = 'aaaaaaaa-0000-4000-8000-000000000001';
const B = 'bbbbbbbb-0000-4000-8000-000000000002';
const C = 'cccccccc-0000-4000-8000-000000000003';
const MISSING = 'dddddddd-0000-4000-8000-000000000004';

const LIMITS: KvLimits = {
  maxKeysPerNamespace: 10,
  maxValueBytes: 1000,
  maxNamespaces: 10,
  maxTotalBytes: 100000,
};
const OPEN = startFilter({ enable: false, allowTask: { taskId: [], tag: [], customProperty: [] } });

function world(opts: { filter?: StartFilter; limits?: KvLimits; kvEnabled?: boolean } = {}) {
  const qrs = new FakeTaskDirectory([
    { id: A, name: 'Task A', tags: ['nightly'], customProperties: [{ name: 'Group', value: 'finance' }] },
    { id: B, name: 'Task B', tags: ['nightly', 'hourly'] },
    { id: C, name: 'Task C', customProperties: [{ name: 'Group', value: 'finance' }] },
  ]);
  const kv = new KeyValueService(createMemoryStateStore().table<KvRecord>(KV_TABLE), opts.limits ?? LIMITS);
  const deps = { qrs: () => qrs, kv, filter: opts.filter ?? OPEN, kvEnabled: opts.kvEnabled ?? true };
  const start = (req: Partial<StartRequest>) =>
    startTasks({ pathTaskId: '-', items: [], allTaskIdsMustExist: false, ...req }, deps);
  return { qrs, kv, start };
}

const byId = (taskId: string): StartItem => ({ type: 'starttaskid', payload: { taskId } });
const byTag = (tag: string): StartItem => ({ type: 'starttasktag', payload: { tag } });
const byCp = (name: string, value: string): StartItem => ({
  type: 'starttaskcustomproperty',
  payload: { customPropertyName: name, customPropertyValue: value },
});
const kvItem = (namespace: string, key: string, value: string): StartItem => ({
  type: 'keyvaluestore',
  payload: { namespace, key, value },
});

/** The stored value, or undefined when the namespace or key does not exist. */
async function stored(kv: KeyValueService, namespace: string, key: string): Promise<string | undefined> {
  try {
    return (await kv.get(namespace, key))?.value;
  } catch (err) {
    if (isApiError(err) && err.statusCode === 404) return undefined;
    throw err;
  }
}

async function rejection(promise: Promise<unknown>): Promise<{ code: string; statusCode: number }> {
  try {
    await promise;
  } catch (err) {
    assert.ok(isApiError(err), String(err));
    return { code: err.code, statusCode: err.statusCode };
  }
  assert.fail('expected a rejection');
}

describe('task ids', () => {
  test('the path id and body ids start, with QRS execution ids; an upper-case id is the same task', async () => {
    const { qrs, start } = world();
    const report = await start({ pathTaskId: A, items: [byId(B), byId(A.toUpperCase())] });
    assert.deepEqual(report.tasksId.started, [
      { taskId: A, taskName: 'Task A', executionId: `exec-${A}` },
      { taskId: B, taskName: 'Task B', executionId: `exec-${B}` },
    ]);
    assert.deepEqual(report.tasksId.invalid, []);
    assert.deepEqual(qrs.starts, [A, B]);
  });

  test('a malformed id is invalid without a lookup; an unknown GUID is invalid after one', async () => {
    const { qrs, start } = world();
    const report = await start({ items: [byId('not-a-guid'), byId(MISSING), byId(C)] });
    assert.deepEqual(report.tasksId.invalid, [{ taskId: 'not-a-guid' }, { taskId: MISSING }]);
    assert.deepEqual(
      report.tasksId.started.map((t) => t.taskId),
      [C],
    );
    assert.deepEqual(qrs.lookups, ['ids']);
  });

  test('only malformed ids: QRS is never asked', async () => {
    const { qrs, start } = world();
    const report = await start({ pathTaskId: 'nope', items: [byId('also-not')] });
    assert.deepEqual(report.tasksId.invalid, [{ taskId: 'nope' }, { taskId: 'also-not' }]);
    assert.deepEqual(qrs.lookups, []);
    assert.deepEqual(qrs.starts, []);
  });

  test('allTaskIdsMustExist: one invalid id denies the valid ones and starts nothing by id', async () => {
    const { qrs, start } = world();
    const report = await start({ pathTaskId: A, items: [byId(MISSING)], allTaskIdsMustExist: true });
    assert.deepEqual(report.tasksId.started, []);
    assert.deepEqual(report.tasksId.invalid, [{ taskId: MISSING }]);
    assert.deepEqual(report.tasksId.denied, [{ taskId: A }]);
    assert.deepEqual(qrs.starts, []);
  });

  test('allTaskIdsMustExist with every id known starts them all', async () => {
    const { qrs, start } = world();
    const report = await start({ pathTaskId: A, items: [byId(B)], allTaskIdsMustExist: true });
    assert.equal(report.tasksId.started.length, 2);
    assert.deepEqual(qrs.starts, [A, B]);
  });
});

describe('tags and custom properties', () => {
  test('a tag starts every task carrying it', async () => {
    const { qrs, start } = world();
    const report = await start({ items: [byTag('nightly')] });
    assert.deepEqual(
      report.tasksTag.map((t) => t.taskName),
      ['Task A', 'Task B'],
    );
    assert.deepEqual(qrs.starts, [A, B]);
  });

  test('a custom property pair starts every task carrying it; an unmatched pair starts nothing', async () => {
    const { qrs, start } = world();
    const report = await start({ items: [byCp('Group', 'finance'), byCp('Group', 'sales')] });
    assert.deepEqual(
      report.tasksCP.map((t) => t.taskId),
      [A, C],
    );
    assert.deepEqual(qrs.starts, [A, C]);
  });

  test('a task named by id, tag and custom property starts once and is reported under each', async () => {
    const { qrs, start } = world();
    const report = await start({
      pathTaskId: A,
      items: [byTag('nightly'), byTag('hourly'), byCp('Group', 'finance'), byId(A)],
    });
    assert.deepEqual(qrs.starts.toSorted(), [A, B, C]);
    assert.deepEqual(
      report.tasksId.started.map((t) => t.taskId),
      [A],
    );
    assert.deepEqual(
      report.tasksTag.map((t) => t.taskId),
      [A, B],
    );
    assert.deepEqual(
      report.tasksCP.map((t) => t.taskId),
      [A, C],
    );
  });
});

describe('the start filter', () => {
  const filter = startFilter({
    enable: true,
    allowTask: {
      taskId: [A.toUpperCase()],
      tag: ['hourly'],
      customProperty: [{ name: 'Group', value: 'x' }],
    },
  });

  test('ids, tags and pairs outside the allow lists are denied and never looked up or started', async () => {
    const { qrs, start } = world({ filter });
    const report = await start({
      pathTaskId: A,
      items: [byId(C), byTag('nightly'), byTag('hourly'), byCp('Group', 'finance')],
    });
    assert.deepEqual(report.tasksId.denied, [{ taskId: C }]);
    assert.deepEqual(report.tasksTagDenied, [{ tag: 'nightly' }]);
    assert.deepEqual(report.tasksCPDenied, [{ name: 'Group', value: 'finance' }]);
    assert.deepEqual(
      report.tasksId.started.map((t) => t.taskId),
      [A],
    );
    assert.deepEqual(
      report.tasksTag.map((t) => t.taskId),
      [B],
    );
    assert.deepEqual(qrs.lookups.toSorted(), ['ids', 'tags']);
    assert.deepEqual(qrs.starts, [A, B]);
  });
});

describe('key-value items', () => {
  test('are written before the first task starts, so the reload can read them', async () => {
    const { qrs, kv, start } = world();
    const seen: (string | undefined)[] = [];
    qrs.onStart = async () => {
      seen.push(await stored(kv, 'run', 'date'));
    };
    await start({ pathTaskId: A, items: [kvItem('run', 'date', '2026-12-01'), byId(B)] });
    assert.deepEqual(seen, ['2026-12-01', '2026-12-01']);
  });

  test('KV-only requests never ask QRS', async () => {
    const { qrs, kv, start } = world();
    await start({ items: [kvItem('ns', 'k', 'v')] });
    assert.equal(await stored(kv, 'ns', 'k'), 'v');
    assert.deepEqual(qrs.lookups, []);
  });

  test('a full namespace answers 409 before any start, and nothing of the request is stored', async () => {
    const { qrs, kv, start } = world({ limits: { ...LIMITS, maxKeysPerNamespace: 1 } });
    await kv.set('ns', 'old', 'x', 0);
    const err = await rejection(
      start({ pathTaskId: A, items: [kvItem('other', 'k', 'v'), kvItem('ns', 'new', 'y')] }),
    );
    assert.deepEqual(err, { code: 'KV_NAMESPACE_FULL', statusCode: 409 });
    assert.deepEqual(qrs.starts, []);
    assert.equal(await stored(kv, 'ns', 'new'), undefined);
    assert.equal(await stored(kv, 'other', 'k'), undefined);
  });

  test('with the keyValueStore endpoint disabled, items are skipped and tasks still start', async () => {
    const { qrs, kv, start } = world({ kvEnabled: false });
    await start({ pathTaskId: A, items: [kvItem('ns', 'k', 'v')] });
    assert.equal(await stored(kv, 'ns', 'k'), undefined);
    assert.deepEqual(qrs.starts, [A]);
  });
});

describe('failures', () => {
  test('a QRS refusal lands in tasksFailed with its status; the other tasks still start', async () => {
    const { qrs, start } = world();
    qrs.refuse.set(B, 409);
    const report = await start({ items: [byTag('nightly')] });
    assert.deepEqual(
      report.tasksTag.map((t) => t.taskId),
      [A],
    );
    assert.equal(report.tasksFailed.length, 1);
    assert.deepEqual(
      { ...report.tasksFailed[0], message: undefined },
      { taskId: B, taskName: 'Task B', via: 'tag', statusCode: 409, message: undefined },
    );
  });

  test('QRS unreachable on lookup: the whole request fails, no KV item written, nothing started', async () => {
    const { qrs, kv, start } = world();
    qrs.unreachable = true;
    const err = await rejection(start({ pathTaskId: A, items: [byTag('nightly'), kvItem('ns', 'k', 'v')] }));
    assert.deepEqual(err, { code: 'SENSE_UNAVAILABLE', statusCode: 503 });
    assert.deepEqual(qrs.starts, []);
    assert.equal(await stored(kv, 'ns', 'k'), undefined);
  });

  test('a QRS without the synchronous route: plain start, reported with a null execution id', async () => {
    const { qrs, start } = world();
    qrs.noSynchronousRoute = true;
    const report = await start({ pathTaskId: A });
    assert.deepEqual(report.tasksId.started, [{ taskId: A, taskName: 'Task A', executionId: null }]);
    assert.deepEqual(qrs.starts, [A]);
  });
});

describe('starts of recently looked-up ids skip the lookup', () => {
  function cached(now: { t: number }) {
    const names = new TaskNameCache(60_000, 100, () => now.t);
    const w = world();
    const deps = { qrs: () => w.qrs, kv: w.kv, filter: OPEN, kvEnabled: true, names };
    const start = (req: Partial<StartRequest>) =>
      startTasks({ pathTaskId: '-', items: [], allTaskIdsMustExist: false, ...req }, deps);
    return { ...w, names, start };
  }

  test('a second start of the same id goes straight to the start, with the name from the lookup', async () => {
    const now = { t: 0 };
    const { qrs, start } = cached(now);
    const first = await start({ pathTaskId: A });
    const second = await start({ pathTaskId: A.toUpperCase() });
    assert.deepEqual(qrs.lookups, ['ids']);
    assert.deepEqual(qrs.starts, [A, A]);
    assert.deepEqual(second, first);
    assert.deepEqual(second.tasksId.started, [{ taskId: A, taskName: 'Task A', executionId: `exec-${A}` }]);
  });

  test('tag lookups fill it too; expired entries, tags and allTaskIdsMustExist look up again', async () => {
    const now = { t: 0 };
    const { qrs, start } = cached(now);
    await start({ items: [byTag('hourly')] });
    await start({ pathTaskId: B });
    assert.deepEqual(qrs.lookups, ['tags']);
    await start({ pathTaskId: B, allTaskIdsMustExist: true });
    await start({ pathTaskId: B, items: [byTag('hourly')] });
    now.t = 60_001;
    await start({ pathTaskId: B });
    assert.deepEqual(qrs.lookups, ['tags', 'ids', 'ids', 'tags', 'ids']);
  });

  test('a remembered task QRS no longer knows is reported invalid and forgotten', async () => {
    const now = { t: 0 };
    const { qrs, names, start } = cached(now);
    await start({ pathTaskId: C });
    qrs.tasks.splice(
      qrs.tasks.findIndex((t) => t.id === C),
      1,
    );
    qrs.refuse.set(C, 404);
    const report = await start({ pathTaskId: C.toUpperCase() });
    assert.deepEqual(report.tasksId, { started: [], invalid: [{ taskId: C.toUpperCase() }], denied: [] });
    assert.deepEqual(report.tasksFailed, []);
    assert.equal(names.get(C), undefined);
    // Other refusals stay failures, as after a lookup.
    await start({ pathTaskId: A });
    qrs.refuse.set(A, 409);
    const refused = await start({ pathTaskId: A });
    assert.deepEqual(
      refused.tasksFailed.map((f) => [f.taskId, f.statusCode]),
      [[A, 409]],
    );
  });
});

describe('TaskNameCache', () => {
  test('keeps at most maxEntries, dropping the oldest; entries expire after the time to live', () => {
    const now = { t: 0 };
    const names = new TaskNameCache(1000, 2, () => now.t);
    names.remember([
      { id: A, name: 'a' },
      { id: B, name: 'b' },
    ]);
    names.remember([{ id: A, name: 'a2' }]);
    names.remember([{ id: C, name: 'c' }]);
    assert.equal(names.size, 2);
    assert.equal(names.get(B), undefined);
    assert.deepEqual(names.get(A.toUpperCase()), { id: A, name: 'a2' });
    now.t = 1000;
    assert.equal(names.get(C), undefined);
  });
});
