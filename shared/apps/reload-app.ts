/**
 * App reload through the Engine (docs/butler-compatibility.md §3 #28): OpenDoc → DoReload → DoSave on success, then
 * the follow-up tasks for the outcome. The caller waits up to `sense.reloadWaitMs`; a longer reload
 * answers 202 and is followed through the tracker.
 */
import { isApiError } from '../http/errors';
import { errorMessage } from '../log';
import type { ReloadOptions, ReloadOutcome } from '../sense/apps';
import { isGuid } from '../guid';
import { mapLimit } from '../concurrency/map-limit';
import { startOne } from '../tasks/start-one';
import type { StartFilter } from '../tasks/start-filter';
import type { TaskDirectory } from '../tasks/task-directory';
import type { ReloadRecord, ReloadTracker } from './reload-tracker';

export interface ReloadRequest {
  appId: string;
  mode: number;
  partial: boolean;
  onSuccess: string[];
  onFailure: string[];
}

export interface ReloadDeps {
  /** The Engine reload itself (OpenDoc → DoReload → DoSave): `reloadApp` from `sense/apps` in production. */
  reload: (appId: string, opts: ReloadOptions) => Promise<ReloadOutcome>;
  /** Where follow-up tasks are looked up and started. */
  tasks: TaskDirectory;
  tracker: ReloadTracker;
  filter: StartFilter;
  waitMs: number;
}

export type ReloadAnswer = { done: true; record: ReloadRecord } | { done: false; record: ReloadRecord };

async function startFollowUps(deps: ReloadDeps, record: ReloadRecord, taskIds: string[]): Promise<void> {
  const wanted: string[] = [];
  for (const id of [...new Set(taskIds.map((t) => t.toLowerCase()))]) {
    if (!isGuid(id))
      record.tasksFailed.push({ taskId: id, taskName: '', statusCode: 400, message: 'Not a task id (GUID)' });
    else if (!deps.filter.allowsTaskId(id))
      record.tasksFailed.push({
        taskId: id,
        taskName: '',
        statusCode: 403,
        message: 'Denied by api.startTaskFilter',
      });
    else wanted.push(id);
  }
  if (wanted.length === 0) return;
  const qrs = deps.tasks;
  const known = await qrs.tasksByIds(wanted);
  const byId = new Map(known.map((t) => [t.id.toLowerCase(), t]));
  for (const id of wanted) {
    if (!byId.has(id))
      record.tasksFailed.push({
        taskId: id,
        taskName: '',
        statusCode: 404,
        message: 'No such task in Sense',
      });
  }
  const tasks = wanted.flatMap((id) => byId.get(id) ?? []);
  const outcomes = await mapLimit(tasks, 4, (task) => startOne(qrs, task.id));
  tasks.forEach((task, i) => {
    const outcome = outcomes[i]!;
    if (outcome.ok)
      record.tasksStarted.push({ taskId: task.id, taskName: task.name, executionId: outcome.executionId });
    else
      record.tasksFailed.push({
        taskId: task.id,
        taskName: task.name,
        statusCode: outcome.statusCode,
        message: outcome.message,
      });
  });
}

async function run(request: ReloadRequest, deps: ReloadDeps, record: ReloadRecord): Promise<void> {
  const outcome = await deps.reload(request.appId, {
    mode: request.mode,
    partial: request.partial,
  });
  record.saved = outcome.saved;
  if (outcome.saveError) record.saveError = outcome.saveError;
  try {
    await startFollowUps(deps, record, outcome.success ? request.onSuccess : request.onFailure);
  } catch (err) {
    // The reload itself is done; a follow-up lookup failure is reported, not thrown.
    record.tasksFailed.push({
      taskId: '',
      taskName: '',
      statusCode: isApiError(err) ? err.statusCode : 500,
      message: `Follow-up tasks not started: ${errorMessage(err)}`,
    });
  }
  record.status = outcome.success ? 'succeeded' : 'failed';
  record.finishedAt = new Date().toISOString();
}

/** Runs the reload; resolves when it is finished or when `waitMs` passed, whichever comes first. */
export async function reloadWithWait(request: ReloadRequest, deps: ReloadDeps): Promise<ReloadAnswer> {
  const record = deps.tracker.create(request.appId);
  const work = deps.tracker.track(
    run(request, deps, record).catch((err: unknown) => {
      record.status = 'failed';
      record.finishedAt = new Date().toISOString();
      record.error = isApiError(err)
        ? { code: err.code, message: err.message }
        : { code: 'INTERNAL', message: errorMessage(err) };
      throw err;
    }),
  );
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise<'waited'>((resolve) => {
    timer = setTimeout(() => resolve('waited'), deps.waitMs);
  });
  const settled = work.then(
    () => ({ error: undefined as unknown, failed: false }),
    (error: unknown) => ({ error, failed: true }),
  );
  try {
    const first = await Promise.race([settled, waited]);
    if (first === 'waited') return { done: false, record };
    if (first.failed) {
      deps.tracker.forget(record.reloadId);
      throw first.error;
    }
    return { done: true, record };
  } finally {
    clearTimeout(timer);
  }
}
