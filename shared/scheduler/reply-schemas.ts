/**
 * The schedules the API returns, as schemas: the OpenAPI document shows them and `Schedule`,
 * `LastRun` and `ScheduleStatus` (./types.ts) are derived from them.
 */
import { Type } from '@sinclair/typebox';
import { ScheduleBody } from './input';

const Instant = (description: string) => Type.String({ format: 'date-time', description });

export const LastRunSchema = Type.Object({
  occurrence: Instant('The cron occurrence that fired'),
  at: Instant('When the task start was attempted'),
  status: Type.Union([Type.Literal('started'), Type.Literal('failed')]),
  executionId: Type.Union([Type.String(), Type.Null()], {
    description: "QRS's execution id; null when QRS did not return one or the start failed",
  }),
  error: Type.Optional(
    Type.String({ description: 'Why the start failed (QRS status and message, or a denial)' }),
  ),
});

export const ScheduleSchema = Type.Object(
  {
    ...ScheduleBody.properties,
    id: Type.String(),
    created: Instant('When the schedule was created'),
    lastKnownState: Type.Union([Type.Literal('started'), Type.Literal('stopped')]),
    lastRun: Type.Optional(LastRunSchema),
  },
  {
    description:
      'The stored schedule: the fields sent at creation (extra fields kept) plus id, created, lastKnownState and lastRun',
  },
);

export const ScheduleStatusSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  cronSchedule: Type.String(),
  timezone: Type.String(),
  status: Type.Union([Type.Literal('Running'), Type.Literal('Stopped')]),
  nextRun: Type.Union([Type.String(), Type.Null()]),
});
