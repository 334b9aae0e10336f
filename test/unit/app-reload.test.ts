/**
 * App reload on its own: a controllable fake Engine reload, the in-memory task directory and the real
 * tracker. Covers the answer within the wait, the 202 path (record 'running', then finished) with
 * mocked timers, and the follow-up tasks through the task service with the start filter. No TLS, no sockets, no real sleeps.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { reloadWithWait, type ReloadRequest } from '../../shared/apps/reload-app';
import { ReloadTracker } from '../../shared/apps/reload-tracker';
import { ApiError, isApiError } from '../../shared/http/errors';
import type { ReloadOptions, ReloadOutcome } from '../../shared/sense/apps';
import { startFilter } from '../../shared/tasks/start-filter';
import { createTaskService } from '../../shared/tasks/task-service';
import type { StartRequest } from '../../shared/tasks/start-tasks';
import { FakeTaskDirectory } from '../helpers/fake-task-directory';

const APP = '11111111-0000-4000-8000-00000000000a';
const A = 'aaaaaaaa-0000-4000-8000-000000000001';
const B = 'bbbbbbbb-0000-4000-8000-000000000002';
const DENIED = 'cccccccc-0000-4000-8000-000000000003';
const MISSING = 'dddddddd-0000-4000-8000-000000000004';
const WAIT_MS = 30_000;

/** An Engine reload the test finishes when it wants to. */
function controllableReload() {
  const calls: { appId: string; opts: ReloadOptions }[] = [];
  let finish!: (outcome: ReloadOutcome) => void;
  let fail!: (err: unknown) => void;
  const done = new Promise<ReloadOutcome>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const reload = (appId: string, opts: ReloadOptions) => {
    calls.push({ appId, opts });
    return done;
  };
  return { reload, calls, finish, fail };
}

function world() {
  const tasks = new FakeTaskDirectory([
    { id: A, name: 'Task A' },
    { id: B, name: 'Task B' },
    { id: DENIED, name: 'Denied task' },
  ]);
  const tracker = new ReloadTracker();
  const engine = controllableReload();
  const filter = startFilter({
    enable: true,
    allowTask: { taskId: [A, B, MISSING], tag: [], customProperty: [] },
  });
  // Follow-ups go through the real task service (the one task-start path) on the fake directory.
  const noKv = { setMany: () => Promise.reject(new Error('follow-ups write no key-values')) };
  const service = createTaskService({ qrs: () => tasks, kv: noKv, filter, kvEnabled: true });
  const deps = {
    reload: engine.reload,
    startTasks: (r: StartRequest) => service.start(r),
    tracker,
    waitMs: WAIT_MS,
  };
  const request: ReloadRequest = {
    appId: APP,
    mode: 1,
    partial: true,
    onSuccess: [A, A.toUpperCase(), 'not-a-guid', DENIED, MISSING],
    onFailure: [B],
  };
  return { tasks, tracker, engine, deps, request };
}

describe('a reload that finishes within the wait', () => {
  test('success: saved, done, onSuccess tasks started once, the rest reported with a reason', async () => {
    const { tasks, engine, deps, request } = world();
    engine.finish({ success: true, saved: true });
    const answer = await reloadWithWait(request, deps);
    assert.equal(answer.done, true);
    assert.deepEqual(engine.calls, [{ appId: APP, opts: { mode: 1, partial: true } }]);
    const { record } = answer;
    assert.equal(record.status, 'succeeded');
    assert.equal(record.saved, true);
    assert.notEqual(record.finishedAt, null);
    assert.deepEqual(record.tasksStarted, [{ taskId: A, taskName: 'Task A', executionId: `exec-${A}` }]);
    assert.deepEqual(
      record.tasksFailed.map((f) => [f.taskId, f.statusCode]),
      [
        ['not-a-guid', 400],
        [DENIED, 403],
        [MISSING, 404],
      ],
    );
    assert.deepEqual(tasks.starts, [A]);
  });

  test('failure: status failed, only the onFailure tasks start', async () => {
    const { tasks, engine, deps, request } = world();
    engine.finish({ success: false, saved: false });
    const answer = await reloadWithWait(request, deps);
    assert.equal(answer.done, true);
    assert.equal(answer.record.status, 'failed');
    assert.equal(answer.record.saved, false);
    assert.deepEqual(tasks.starts, [B]);
    assert.deepEqual(
      answer.record.tasksStarted.map((t) => t.taskId),
      [B],
    );
  });

  test('a follow-up refused by QRS is reported with its status; the reload still succeeded', async () => {
    const { tasks, engine, deps, request } = world();
    tasks.refuse.set(A, 409);
    engine.finish({ success: true, saved: true });
    const { record } = await reloadWithWait(request, deps);
    assert.equal(record.status, 'succeeded');
    assert.deepEqual(record.tasksStarted, []);
    assert.ok(record.tasksFailed.some((f) => f.taskId === A && f.statusCode === 409));
  });

  test('QRS unreachable for the follow-ups: reported, nothing started, the reload still counts', async () => {
    const { tasks, engine, deps, request } = world();
    tasks.unreachable = true;
    engine.finish({ success: true, saved: true });
    const { record } = await reloadWithWait(request, deps);
    assert.equal(record.status, 'succeeded');
    assert.deepEqual(tasks.starts, []);
    const last = record.tasksFailed.at(-1);
    assert.equal(last?.statusCode, 503);
    assert.match(last?.message ?? '', /^Follow-up tasks not started/);
  });

  test('an Engine error rejects with it, and the tracker forgets the reload', async () => {
    const { tracker, tasks, engine, deps, request } = world();
    engine.fail(new ApiError('APP_NOT_FOUND', `App not found: ${APP}`));
    let reloadId = '';
    const create = tracker.create.bind(tracker);
    tracker.create = (appId) => {
      const record = create(appId);
      reloadId = record.reloadId;
      return record;
    };
    await assert.rejects(
      reloadWithWait(request, deps),
      (err) => isApiError(err) && err.code === 'APP_NOT_FOUND',
    );
    assert.notEqual(reloadId, '');
    assert.equal(tracker.get(APP, reloadId), undefined);
    assert.deepEqual(tasks.starts, []);
  });
});

describe('a reload that outlives the wait (the 202 path)', () => {
  test('answers not-done with a running record the tracker knows, then finishes with follow-ups', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const { tasks, tracker, engine, deps, request } = world();
    const pending = reloadWithWait(request, deps);
    t.mock.timers.tick(WAIT_MS);
    const answer = await pending;
    assert.equal(answer.done, false);
    const { record } = answer;
    assert.equal(record.status, 'running');
    assert.equal(record.finishedAt, null);
    assert.equal(tracker.get(APP.toUpperCase(), record.reloadId), record);
    assert.deepEqual(tasks.starts, []);

    engine.finish({ success: true, saved: true });
    await tracker.settle();
    assert.equal(tracker.get(APP, record.reloadId)?.status, 'succeeded');
    assert.notEqual(record.finishedAt, null);
    assert.deepEqual(tasks.starts, [A]);
  });

  test('one tick short of the wait is not yet an answer', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const { engine, deps, request } = world();
    let answered = false;
    const pending = reloadWithWait(request, deps).then((a) => ((answered = true), a));
    t.mock.timers.tick(WAIT_MS - 1);
    await new Promise<void>((resolve) => setImmediate(resolve));
    assert.equal(answered, false);
    engine.finish({ success: false, saved: false });
    const answer = await pending;
    assert.equal(answer.done, true);
    assert.equal(answer.record.status, 'failed');
  });

  test('an Engine error after the answer marks the record failed with the error', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const { tasks, tracker, engine, deps, request } = world();
    const pending = reloadWithWait(request, deps);
    t.mock.timers.tick(WAIT_MS);
    const { record } = await pending;
    engine.fail(new ApiError('SENSE_ERROR', 'Engine went away (fake)'));
    await tracker.settle();
    assert.equal(record.status, 'failed');
    assert.deepEqual(record.error, { code: 'SENSE_ERROR', message: 'Engine went away (fake)' });
    assert.deepEqual(tasks.starts, []);
  });
});
