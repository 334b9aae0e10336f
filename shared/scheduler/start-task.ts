/**
 * A schedule's firing starts its task through the same path as PUT /v4/reloadtask/{taskId}/start:
 * the task is looked up, `api.startTaskFilter` applies, and QRS's synchronous start reports the
 * execution id.
 */
import { isApiError } from '../http/errors';
import { errorMessage } from '../log';
import type { TaskService } from '../tasks/task-service';
import type { TaskStarter } from './runner';

/** The task service throws NOT_CONFIGURED when Sense is not set up; that becomes the firing's error. */
export function senseTaskStarter(tasks: TaskService): TaskStarter {
  return async (taskId) => {
    try {
      const report = await tasks.start({ pathTaskId: taskId, items: [], allTaskIdsMustExist: false });
      const started = report.tasksId.started[0];
      if (started) return { ok: true, executionId: started.executionId };
      const failed = report.tasksFailed[0];
      if (failed) return { ok: false, error: `QRS ${failed.statusCode}: ${failed.message}` };
      if (report.tasksId.denied.length > 0) {
        return { ok: false, error: 'the task is not allowed by api.startTaskFilter' };
      }
      return { ok: false, error: 'no such task in Sense' };
    } catch (err) {
      return { ok: false, error: isApiError(err) ? `${err.code}: ${err.message}` : errorMessage(err) };
    }
  };
}
