/** PUT|POST /v4/reloadtask/{taskId}/start — start tasks by id, tag or custom property (Butler #33/#34). */
import { Type } from '@sinclair/typebox';
import { method, registerEndpoint, reply } from '../shared/http/endpoint';
import { ObjectWithDefaults } from '../shared/http/schemas';
import { StartBody } from '../shared/tasks/start-request';
import { StartReportSchema } from '../shared/tasks/start-report';

const start = (id: string, summary: string) =>
  method({
    id,
    summary,
    enabledBy: 'senseStartTask',
    // A GUID is 36 characters; anything far longer is not a task id worth echoing back.
    params: Type.Object({
      taskId: Type.String({ maxLength: 100, description: 'Task id (GUID, any case) or "-"' }),
    }),
    query: ObjectWithDefaults({ allTaskIdsMustExist: Type.Boolean({ default: false }) }),
    body: StartBody,
    // Scripts call `-` with no body at all; Butler rejected that, here it means "nothing else".
    bodyDefault: () => [],
    replies: { 200: reply('What was started, refused and failed', StartReportSchema) },
    errors: [
      'KV_NAMESPACE_FULL',
      'KV_LIMIT_EXCEEDED',
      'KV_VALUE_TOO_LARGE',
      'NOT_CONFIGURED',
      'SENSE_UNAVAILABLE',
      'SENSE_ERROR',
      'UPSTREAM_TIMEOUT',
    ],
    handle: async ({ params, query, body, services }) => {
      const report = await services.tasks.start({
        pathTaskId: params.taskId,
        items: body,
        allTaskIdsMustExist: query.allTaskIdsMustExist,
      });
      return { status: 200, body: report };
    },
  });

registerEndpoint('reloadtask-start', 'v4/reloadtask/{taskId}/start', {
  PUT: start('reloadtask-start', 'Start tasks by id, tag or custom property; store key-value items first'),
  POST: start('reloadtask-start-post', 'Same as PUT (Butler accepts both)'),
});
