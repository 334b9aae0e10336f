/** Starts one task through QRS and turns every failure into a reportable outcome. */
import { isApiError } from '../http/errors';
import { errorMessage } from '../log';
import { SenseError } from '../sense/errors';
import type { TaskDirectory } from './task-directory';

export type StartOutcome =
  | { ok: true; executionId: string | null }
  /** `unreached`: the error when QRS never answered (network, TLS, timeout, configuration). */
  | { ok: false; statusCode: number; message: string; unreached?: unknown };

const NOT_STARTED =
  'QRS answered with an empty execution id: the task was not started (is it disabled or already running?)';

function failure(err: unknown): StartOutcome {
  if (err instanceof SenseError && err.upstreamStatus !== undefined) {
    return { ok: false, statusCode: err.upstreamStatus, message: err.message };
  }
  if (isApiError(err)) return { ok: false, statusCode: err.statusCode, message: err.message, unreached: err };
  return { ok: false, statusCode: 500, message: errorMessage(err), unreached: err };
}

/**
 * Prefers the synchronous start (it returns the execution id). The caller has already found the task,
 * so a 404/405 there means this QRS lacks the route: fall back to the plain start, without an id.
 */
export async function startOne(qrs: TaskDirectory, taskId: string): Promise<StartOutcome> {
  try {
    const { executionId } = await qrs.startTaskSynchronous(taskId);
    return executionId ? { ok: true, executionId } : { ok: false, statusCode: 200, message: NOT_STARTED };
  } catch (err) {
    const routeMissing =
      err instanceof SenseError && (err.upstreamStatus === 404 || err.upstreamStatus === 405);
    if (!routeMissing) return failure(err);
    try {
      await qrs.startTask(taskId);
      return { ok: true, executionId: null };
    } catch {
      return failure(err);
    }
  }
}
