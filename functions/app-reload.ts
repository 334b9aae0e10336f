/**
 * PUT /v4/app/{appId}/reload (Butler #28) and GET /v4/app/{appId}/reload/{reloadId} (E2): reload an
 * app through the Engine and answer when it is done, or 202 with a status URL if it takes longer.
 */
import { reloadWithWait } from '../shared/apps/reload-app';
import type { ReloadRecord } from '../shared/apps/reload-tracker';
import { ApiError } from '../shared/http/errors';
import { method, registerEndpoint } from '../shared/http/endpoint';
import { startFilter } from '../shared/tasks/start-filter';
import { isGuid } from '../shared/guid';

interface ReloadBody {
  reloadMode?: number;
  partialReload?: boolean;
  startQSEoWTaskOnSuccess?: string[];
  startQSEoWTaskOnFailure?: string[];
}

const taskList = { type: 'array', maxItems: 100, items: { type: 'string', maxLength: 100 } };

const reloadBodySchema = {
  type: 'object',
  properties: {
    reloadMode: { type: 'integer' },
    partialReload: { type: 'boolean', default: false },
    startQSEoWTaskOnSuccess: taskList,
    startQSEoWTaskOnFailure: taskList,
  },
};

function requireAppId(appId: string | undefined): string {
  if (!appId || !isGuid(appId)) {
    throw new ApiError(
      'VALIDATION',
      `params/appId must be an app id (GUID); got '${(appId ?? '').slice(0, 100)}'`,
    );
  }
  return appId.toLowerCase();
}

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
  PUT: method<Record<string, unknown>, ReloadBody>({
    enabledBy: 'senseAppReload',
    body: reloadBodySchema,
    bodyDefault: () => ({}),
    handle: async ({ params, body, services }) => {
      const appId = requireAppId(params.appId);
      const mode =
        body.reloadMode !== undefined && body.reloadMode >= 0 && body.reloadMode <= 2 ? body.reloadMode : 0;
      const answer = await reloadWithWait(
        {
          appId,
          mode,
          partial: body.partialReload ?? false,
          onSuccess: body.startQSEoWTaskOnSuccess ?? [],
          onFailure: body.startQSEoWTaskOnFailure ?? [],
        },
        {
          sense: services.sense(),
          tracker: services.reloads,
          filter: startFilter(services.config.api.startTaskFilter),
          waitMs: services.config.sense.reloadWaitMs,
        },
      );
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
    enabledBy: 'senseAppReload',
    handle: ({ params, services }) => {
      const appId = requireAppId(params.appId);
      const record = services.reloads.get(appId, params.reloadId ?? '');
      if (!record) {
        throw new ApiError(
          'RELOAD_NOT_FOUND',
          `No reload ${String(params.reloadId).slice(0, 100)} for app ${appId} (reloads are remembered until the host restarts)`,
        );
      }
      return Promise.resolve({ status: 200, body: publicView(record) });
    },
  }),
});
