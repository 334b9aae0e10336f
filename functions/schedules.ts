/**
 * The scheduler endpoints (Butler #20-#27 and E1 updateSchedule); see docs/scheduler.md. The path
 * `schedules/{x}` is one function because a literal and a parameter share that position: it serves
 * GET `status`, PUT `startall`/`stopall`, PUT <id> (update) and DELETE <id>.
 */
import { Type } from '@sinclair/typebox';
import { method, registerEndpoint, reply } from '../shared/http/endpoint';
import { checkScheduleInput, ScheduleBody } from '../shared/scheduler/input';
import { ScheduleSchema, ScheduleStatusSchema } from '../shared/scheduler/reply-schemas';

const ScheduleReply = ScheduleSchema;
const StatusReply = Type.Array(ScheduleStatusSchema);

const CRON_ERRORS = ['SCHEDULE_INVALID_CRON', 'SCHEDULE_INVALID_TIMEZONE'] as const;
const IdParams = Type.Object({ scheduleId: Type.String() });

registerEndpoint('schedules', 'v4/schedules', {
  GET: method({
    id: 'schedules-get',
    summary: 'All schedules, or the one with ?id= (as a one-element array)',
    enabledBy: 'getSchedule',
    query: Type.Object({ id: Type.Optional(Type.String({ maxLength: 100 })) }),
    replies: { 200: reply('Array of schedules', Type.Array(ScheduleReply)) },
    errors: ['SCHEDULE_NOT_FOUND'],
    handle: async ({ query, services }) => {
      const { schedules } = services.scheduler;
      if (query.id === undefined) return { status: 200, body: await schedules.list() };
      return { status: 200, body: [await schedules.get(query.id)] };
    },
  }),
  POST: method({
    id: 'schedules-create',
    summary: 'Create a schedule (starts firing at once when startupState is start/started)',
    enabledBy: 'createNewSchedule',
    // checkScheduleInput adds what a schema cannot say: a GUID task id, a cron in a known time zone.
    body: ScheduleBody,
    replies: { 201: reply('The created schedule', ScheduleReply) },
    errors: [...CRON_ERRORS, 'STATE_CONFLICT'],
    handle: async ({ body, services }) => ({
      status: 201,
      body: await services.scheduler.schedules.create(checkScheduleInput(body)),
    }),
  }),
});

const ItemParams = Type.Object({
  scheduleId: Type.String({
    description: 'A schedule id, or one of the literals status (GET), startall and stopall (PUT)',
  }),
});

const setStateAll = (state: 'started' | 'stopped') =>
  method({
    id: state === 'started' ? 'schedules-startall' : 'schedules-stopall',
    summary: `${state === 'started' ? 'Start' : 'Stop'} every schedule`,
    enabledBy: state === 'started' ? 'startSchedule' : 'stopSchedule',
    segment: { param: 'scheduleId', literal: state === 'started' ? 'startall' : 'stopall' },
    params: ItemParams,
    replies: { 200: reply('Array of all schedules', Type.Array(ScheduleReply)) },
    handle: async ({ services }) => ({
      status: 200,
      body: await services.scheduler.schedules.setStateAll(state),
    }),
  });

registerEndpoint('schedules-item', 'v4/schedules/{scheduleId}', {
  GET: method({
    id: 'schedules-status',
    summary: 'Only /v4/schedules/status: every schedule with Running|Stopped and its next run',
    enabledBy: 'getScheduleStatusAll',
    segment: { param: 'scheduleId', literal: 'status' },
    params: ItemParams,
    replies: { 200: reply('Status of every schedule', StatusReply) },
    errors: ['ROUTE_NOT_FOUND'],
    handle: async ({ services }) => ({ status: 200, body: await services.scheduler.schedules.status() }),
  }),
  PUT: [
    setStateAll('started'),
    setStateAll('stopped'),
    method({
      id: 'schedules-update',
      summary: 'Update a schedule (any segment but startall and stopall)',
      enabledBy: 'updateSchedule',
      params: ItemParams,
      body: ScheduleBody,
      replies: { 200: reply('The updated schedule', ScheduleReply) },
      errors: [...CRON_ERRORS, 'SCHEDULE_NOT_FOUND'],
      handle: async ({ params, body, services }) => ({
        status: 200,
        body: await services.scheduler.schedules.update(params.scheduleId, checkScheduleInput(body)),
      }),
    }),
  ],
  DELETE: method({
    id: 'schedules-delete',
    summary: 'Delete a schedule',
    enabledBy: 'deleteSchedule',
    params: ItemParams,
    replies: { 204: reply('Deleted') },
    errors: ['SCHEDULE_NOT_FOUND'],
    handle: async ({ params, services }) => {
      await services.scheduler.schedules.remove(params.scheduleId);
      return { status: 204 };
    },
  }),
});

const setState = (state: 'started' | 'stopped') =>
  method({
    id: state === 'started' ? 'schedules-start' : 'schedules-stop',
    summary: `${state === 'started' ? 'Start' : 'Stop'} one schedule (idempotent); the state survives restarts`,
    enabledBy: state === 'started' ? 'startSchedule' : 'stopSchedule',
    params: IdParams,
    replies: { 200: reply('One-element array with the schedule', Type.Array(ScheduleReply)) },
    errors: ['SCHEDULE_NOT_FOUND'],
    handle: async ({ params, services }) => ({
      status: 200,
      body: [await services.scheduler.schedules.setState(params.scheduleId, state)],
    }),
  });

registerEndpoint('schedules-start', 'v4/schedules/{scheduleId}/start', { PUT: setState('started') });
registerEndpoint('schedules-stop', 'v4/schedules/{scheduleId}/stop', { PUT: setState('stopped') });
