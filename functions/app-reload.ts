/**
 * PUT /v4/app/{appId}/reload (Butler #28) and GET /v4/app/{appId}/reload/{reloadId} (E2): reload an
 * app through the Engine and answer when it is done, or 202 with a status URL if it takes longer.
 */
import { Type } from '@sinclair/typebox';
import type { ReloadRecord } from '../shared/apps/reload-tracker';
import { ApiError } from '../shared/http/errors';
import { method, registerEndpoint, reply } from '../shared/http/endpoint';
import { Guid, ObjectWithDefaults } from '../shared/http/schemas';

const TaskList = Type.Array(Type.String({ maxLength: 100 }), { maxItems: 100 });

const ReloadBody = ObjectWithDefaults({
  reloadMode: Type.Optional(Type.Integer({ description: '0, 1 or 2; anything else means 0' })),
  partialReload: Type.Boolean({ default: false }),
  startQSEoWTaskOnSuccess: Type.Optional(TaskList),
  startQSEoWTaskOnFailure: Type.Optional(TaskList),
});

const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()]);

const ReloadView = Type.Object({
  appId: Type.String(),
  reloadId: Type.String(),
  status: Type.Union([Type.Literal('running'), Type.Literal('succeeded'), Type.Literal('failed')]),
  saved: Type.Boolean(),
  saveError: Type.Optional(Type.String()),
  tasksStarted: Type.Array(
    Type.Object({ taskId: Type.String(), taskName: Type.String(), executionId: Nullable(Type.String()) }),
  ),
  tasksFailed: Type.Array(
    Type.Object({
      taskId: Type.String(),
      taskName: Type.String(),
      statusCode: Type.Number(),
      message: Type.String(),
    }),
  ),
  error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() })),
  startedAt: Type.String(),
  finishedAt: Nullable(Type.String()),
});

const Running = Type.Object({
  appId: Type.String(),
  reloadId: Type.String(),
  status: Type.Literal('running'),
  statusUrl: Type.String(),
});

const SENSE_ERRORS = ['NOT_CONFIGURED', 'SENSE_UNAVAILABLE', 'SENSE_ERROR', 'UPSTREAM_TIMEOUT'] as const;

function statusUrl(record: ReloadRecord): string {
  return `/v4/app/${record.appId}/reload/${record.reloadId}`;
}

function publicView(record: ReloadRecord) {
  const {
    appId,
    reloadId,
    status,
    saved,
    saveError,
    tasksStarted,
    tasksFailed,
    error,
    startedAt,
    finishedAt,
  } = record;
  return {
    appId,
    reloadId,
    status,
    saved,
    ...(saveError ? { saveError } : {}),
    tasksStarted,
    tasksFailed,
    ...(error ? { error } : {}),
    startedAt,
    finishedAt,
  };
}

registerEndpoint('app-reload', 'v4/app/{appId}/reload', {
  PUT: method({
    id: 'app-reload',
    summary: 'Reload an app through the Engine, then start the follow-up tasks',
    enabledBy: 'senseAppReload',
    params: Type.Object({ appId: Guid }),
    body: ReloadBody,
    bodyDefault: () => ({}),
    replies: {
      201: reply('Done: status succeeded or failed', ReloadView),
      202: reply('Still running; poll statusUrl', Running, { location: 'The status URL' }),
    },
    errors: ['APP_NOT_FOUND', ...SENSE_ERRORS],
    handle: async ({ params, body, services }) => {
      const appId = params.appId.toLowerCase();
      const mode =
        body.reloadMode !== undefined && body.reloadMode >= 0 && body.reloadMode <= 2 ? body.reloadMode : 0;
      const answer = await services.apps.reload({
        appId,
        mode,
        partial: body.partialReload,
        onSuccess: body.startQSEoWTaskOnSuccess ?? [],
        onFailure: body.startQSEoWTaskOnFailure ?? [],
      });
      if (!answer.done) {
        const url = statusUrl(answer.record);
        return {
          status: 202,
          headers: { location: url },
          body: { appId, reloadId: answer.record.reloadId, status: 'running', statusUrl: url },
        };
      }
      return { status: 201, body: publicView(answer.record) };
    },
  }),
});

registerEndpoint('app-reload-status', 'v4/app/{appId}/reload/{reloadId}', {
  GET: method({
    id: 'app-reload-status',
    summary: 'Status of a reload that was answered with 202',
    enabledBy: 'senseAppReload',
    params: Type.Object({ appId: Guid, reloadId: Type.String() }),
    replies: {
      200: reply('Same body as the 201 of the reload, status running|succeeded|failed', ReloadView),
    },
    errors: ['RELOAD_NOT_FOUND'],
    handle: ({ params, services }) => {
      const appId = params.appId.toLowerCase();
      const record = services.apps.reloadStatus(appId, params.reloadId);
      if (!record) {
        throw new ApiError(
          'RELOAD_NOT_FOUND',
          `No reload ${params.reloadId.slice(0, 100)} for app ${appId} (reloads are remembered until the host restarts)`,
        );
      }
      return { status: 200, body: publicView(record) };
    },
  }),
});
