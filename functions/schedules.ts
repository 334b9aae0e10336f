/**
 * The scheduler endpoints (Butler #20-#27 and E1 updateSchedule); see docs/scheduler.md. The path
 * `schedules/{x}` is one function because a literal and a parameter share that position: it serves
 * GET `status`, PUT `startall`/`stopall`, PUT <id> (update) and DELETE <id>.
 */
import { ApiError } from '../shared/http/errors';
import { method, registerEndpoint } from '../shared/http/endpoint';
import { parseScheduleInput, scheduleBodySchema } from '../shared/scheduler/input';
import type { ScheduleInput } from '../shared/scheduler/types';
import type { EndpointName } from '../shared/config/types';

const is = (segment: string | undefined, literal: string) => segment?.toLowerCase() === literal;

registerEndpoint('schedules', 'v4/schedules', {
  GET: method<{ id?: string }>({
    enabledBy: 'getSchedule',
    query: { type: 'object', properties: { id: { type: 'string', maxLength: 100 } } },
    handle: async ({ query, services }) => {
      const { schedules } = services.scheduler;
      if (query.id === undefined) return { status: 200, body: await schedules.list() };
      return { status: 200, body: [await schedules.get(query.id)] };
    },
  }),
  POST: method<Record<string, unknown>, ScheduleInput>({
    enabledBy: 'createNewSchedule',
    body: scheduleBodySchema,
    handle: async ({ body, services }) => ({
      status: 201,
      body: await services.scheduler.schedules.create(parseScheduleInput(body)),
    }),
  }),
});

function putFlag(params: Record<string, string>): EndpointName {
  if (is(params.scheduleId, 'startall')) return 'startSchedule';
  if (is(params.scheduleId, 'stopall')) return 'stopSchedule';
  return 'updateSchedule';
}

registerEndpoint('schedules-item', 'v4/schedules/{scheduleId}', {
  GET: method({
    enabledBy: 'getScheduleStatusAll',
    handle: async ({ req, params, services }) => {
      if (!is(params.scheduleId, 'status')) {
        throw new ApiError('ROUTE_NOT_FOUND', `Route GET:${new URL(req.url).pathname} not found`);
      }
      return { status: 200, body: await services.scheduler.schedules.status() };
    },
  }),
  PUT: method<Record<string, unknown>, unknown>({
    enabledBy: putFlag,
    handle: async ({ params, body, services }) => {
      const { schedules } = services.scheduler;
      const id = params.scheduleId ?? '';
      if (is(id, 'startall')) return { status: 200, body: await schedules.setStateAll('started') };
      if (is(id, 'stopall')) return { status: 200, body: await schedules.setStateAll('stopped') };
      // Validate the body before looking the id up, so bad input is reported as such.
      const input = parseScheduleInput(body);
      return { status: 200, body: await schedules.update(id, input) };
    },
  }),
  DELETE: method({
    enabledBy: 'deleteSchedule',
    handle: async ({ params, services }) => {
      await services.scheduler.schedules.remove(params.scheduleId ?? '');
      return { status: 204 };
    },
  }),
});

registerEndpoint('schedules-start', 'v4/schedules/{scheduleId}/start', {
  PUT: method({
    enabledBy: 'startSchedule',
    handle: async ({ params, services }) => ({
      status: 200,
      body: [await services.scheduler.schedules.setState(params.scheduleId ?? '', 'started')],
    }),
  }),
});

registerEndpoint('schedules-stop', 'v4/schedules/{scheduleId}/stop', {
  PUT: method({
    enabledBy: 'stopSchedule',
    handle: async ({ params, services }) => ({
      status: 200,
      body: [await services.scheduler.schedules.setState(params.scheduleId ?? '', 'stopped')],
    }),
  }),
});
