/**
 * The scheduler endpoints (Butler #20-#27 and E1 updateSchedule); see docs/scheduler.md. The path
 * `schedules/{x}` is one function because a literal and a parameter share that position: it serves
 * GET `status`, PUT `startall`/`stopall`, PUT <id> (update) and DELETE <id>.
 */
import { Type } from '@sinclair/typebox';
import { ApiError } from '../shared/http/errors';
import { method, registerEndpoint, reply } from '../shared/http/endpoint';
import { parseScheduleInput, ScheduleBody } from '../shared/scheduler/input';
import type { Schedule, ScheduleStatus } from '../shared/scheduler/types';
import type { EndpointName } from '../shared/config/types';

const is = (segment: string | undefined, literal: string) => segment?.toLowerCase() === literal;

// The scheduler service owns these types; the schemas document them.
const ScheduleReply = Type.Unsafe<Schedule>(
  Type.Object(
    {
      id: Type.String(),
      created: Type.String({ format: 'date-time' }),
      name: Type.String(),
      cronSchedule: Type.String(),
      timezone: Type.String(),
      qlikSenseTaskId: Type.String(),
      startupState: Type.String({ enum: ['start', 'started', 'stop', 'stopped'] }),
      tags: Type.Optional(Type.Array(Type.String())),
      lastKnownState: Type.Union([Type.Literal('started'), Type.Literal('stopped')]),
      lastRun: Type.Optional(
        Type.Object({
          occurrence: Type.String({ format: 'date-time' }),
          at: Type.String({ format: 'date-time' }),
          status: Type.Union([Type.Literal('started'), Type.Literal('failed')]),
          executionId: Type.Union([Type.String(), Type.Null()]),
          error: Type.Optional(Type.String()),
        }),
      ),
    },
    {
      description:
        'The stored schedule: the fields sent at creation (extra fields kept) plus id, created, lastKnownState and lastRun',
    },
  ),
);

const StatusReply = Type.Unsafe<ScheduleStatus[]>(
  Type.Array(
    Type.Object({
      id: Type.String(),
      name: Type.String(),
      cronSchedule: Type.String(),
      timezone: Type.String(),
      status: Type.Union([Type.Literal('Running'), Type.Literal('Stopped')]),
      nextRun: Type.Union([Type.String(), Type.Null()]),
    }),
  ),
);

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
    // parseScheduleInput adds what a schema cannot say: a GUID task id, a cron in a known time zone.
    body: ScheduleBody,
    replies: { 201: reply('The created schedule', ScheduleReply) },
    errors: [...CRON_ERRORS, 'STATE_CONFLICT'],
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

const ItemParams = Type.Object({
  scheduleId: Type.String({
    description: 'A schedule id, or one of the literals status (GET), startall and stopall (PUT)',
  }),
});

registerEndpoint('schedules-item', 'v4/schedules/{scheduleId}', {
  GET: method({
    id: 'schedules-status',
    summary: 'Only /v4/schedules/status: every schedule with Running|Stopped and its next run',
    enabledBy: 'getScheduleStatusAll',
    params: ItemParams,
    replies: { 200: reply('Status of every schedule', StatusReply) },
    errors: ['ROUTE_NOT_FOUND'],
    handle: async ({ req, params, services }) => {
      if (!is(params.scheduleId, 'status')) {
        throw new ApiError('ROUTE_NOT_FOUND', `Route GET:${new URL(req.url).pathname} not found`);
      }
      return { status: 200, body: await services.scheduler.schedules.status() };
    },
  }),
  PUT: method({
    id: 'schedules-update',
    summary:
      'startall / stopall: start or stop every schedule (array of all); any other segment: update that schedule',
    enabledBy: putFlag,
    params: ItemParams,
    // Required when updating, ignored by startall and stopall: validated by the handler.
    documentedBody: ScheduleBody,
    replies: {
      200: reply(
        'Updated schedule (object); startall/stopall: array of all schedules',
        Type.Union([ScheduleReply, Type.Array(ScheduleReply)]),
      ),
    },
    errors: [...CRON_ERRORS, 'SCHEDULE_NOT_FOUND'],
    handle: async ({ params, body, services }) => {
      const { schedules } = services.scheduler;
      const id = params.scheduleId;
      if (is(id, 'startall')) return { status: 200, body: await schedules.setStateAll('started') };
      if (is(id, 'stopall')) return { status: 200, body: await schedules.setStateAll('stopped') };
      // Validate the body before looking the id up, so bad input is reported as such.
      const input = parseScheduleInput(body);
      return { status: 200, body: await schedules.update(id, input) };
    },
  }),
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
