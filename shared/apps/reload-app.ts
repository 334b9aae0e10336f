/**
 * App reload through the Engine (docs/butler-compatibility.md §3 #28): OpenDoc → DoReload → DoSave on success, then
 * the follow-up tasks for the outcome. The caller waits up to `sense.reloadWaitMs`; a longer reload
 * answers 202 and is followed through the tracker.
 */
import { isApiError } from '../http/errors';
import { errorMessage } from '../log';
import type { ReloadOptions, ReloadOutcome } from '../sense/apps';
import { isGuid } from '../guid';
import type { StartReport, StartRequest } from '../tasks/start-tasks';
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
  /** The one task-start path (shared/tasks/task-service.ts): how follow-up tasks start. */
  startTasks: (request: StartRequest) => Promise<StartReport>;
  tracker: ReloadTracker;
  waitMs: number;
}

export type ReloadAnswer = { done: true; record: ReloadRecord } | { done: false; record: ReloadRecord };

/**
 * The follow-ups go through the one task-start path (its GUID check, start filter and QRS start), and
 * its report is recorded in the reload's shape: refused ids first (400 not a GUID, 403 denied, in the
 * order given), then ids Sense does not know (404), then starts QRS refused.
 */
async function startFollowUps(deps: ReloadDeps, record: ReloadRecord, taskIds: string[]): Promise<void> {
  const ids = [...new Set(taskIds.map((t) => t.toLowerCase()))];
  if (ids.length === 0) return;
  const report = await deps.startTasks({
    pathTaskId: '-',
    items: ids.map((taskId) => ({ type: 'starttaskid', payload: { taskId } })),
    allTaskIdsMustExist: false,
  });
  const invalid = new Set(report.tasksId.invalid.map((t) => t.taskId));
  const denied = new Set(report.tasksId.denied.map((t) => t.taskId));
  const refused = (taskId: string, statusCode: number, message: string) =>
    record.tasksFailed.push({ taskId, taskName: '', statusCode, message });
  for (const id of ids) {
    if (invalid.has(id) && !isGuid(id)) refused(id, 400, 'Not a task id (GUID)');
    else if (denied.has(id)) refused(id, 403, 'Denied by api.startTaskFilter');
  }
  for (const id of ids) if (invalid.has(id) && isGuid(id)) refused(id, 404, 'No such task in Sense');
  for (const { taskId, taskName, executionId } of report.tasksId.started) {
    record.tasksStarted.push({ taskId, taskName, executionId });
  }
  for (const { taskId, taskName, statusCode, message } of report.tasksFailed) {
    record.tasksFailed.push({ taskId, taskName, statusCode, message });
  }
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
