/** PUT|POST /v4/reloadtask/{taskId}/start — start tasks by id, tag or custom property (Butler #33/#34). */
import { ApiError } from '../shared/http/errors';
import { method, registerEndpoint, type MethodSpec } from '../shared/http/endpoint';
import { taskStartDeps } from '../shared/tasks/start-deps';
import { startBodySchema, startQuerySchema, type StartItem } from '../shared/tasks/start-request';
import { startTasks } from '../shared/tasks/start-tasks';

// A GUID is 36 characters; anything far longer is not a task id worth echoing back.
const MAX_TASK_ID = 100;

const start: MethodSpec<{ allTaskIdsMustExist: boolean }, StartItem[]> = {
  enabledBy: 'senseStartTask',
  query: startQuerySchema,
  body: startBodySchema,
  // Scripts call `-` with no body at all; Butler rejected that, here it means "nothing else".
  bodyDefault: () => [],
  handle: async ({ params, query, body, services }) => {
    const pathTaskId = params.taskId ?? '-';
    if (pathTaskId.length > MAX_TASK_ID) {
      throw new ApiError('VALIDATION', `params/taskId must NOT have more than ${MAX_TASK_ID} characters`);
    }
    const report = await startTasks(
      { pathTaskId, items: body, allTaskIdsMustExist: query.allTaskIdsMustExist },
      taskStartDeps(services),
    );
    return { status: 200, body: report };
  },
};

registerEndpoint('reloadtask-start', 'v4/reloadtask/{taskId}/start', {
  PUT: method(start),
  POST: method(start),
});
