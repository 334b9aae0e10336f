/**
 * The create/update body (Butler's schema plus limits) and the checks Ajv cannot express: a GUID task
 * id, a parsable cron in a known time zone, and the stored size.
 */
import { ApiError } from '../http/errors';
import { Type } from '@sinclair/typebox';
import { StringEnum } from '../http/schemas';
import { validate } from '../http/validation';
import { isGuid } from '../guid';
import { compileCron } from './cron';
import { SCHEDULE_LIMITS as L, STARTUP_STATES, type ScheduleInput } from './types';

/** The create/update body; `ScheduleInput` (./types.ts) is derived from it. Extra fields are kept. */
export const ScheduleBody = Type.Object({
  name: Type.String({ maxLength: L.name }),
  cronSchedule: Type.String({
    minLength: 1,
    maxLength: L.cronSchedule,
    description: '5 fields (minute first) or 6 (second first); months 1-12; day-of-month OR day-of-week',
  }),
  timezone: Type.String({
    minLength: 1,
    maxLength: L.timezone,
    description: 'IANA time zone, e.g. Europe/Stockholm',
  }),
  qlikSenseTaskId: Type.String({ maxLength: 36, description: 'Task GUID' }),
  startupState: StringEnum(STARTUP_STATES),
  tags: Type.Optional(Type.Array(Type.String({ maxLength: L.tag }), { maxItems: L.tags })),
});

/** Validates a create/update body; returns it (coerced, extra fields kept). */
export function parseScheduleInput(body: unknown): ScheduleInput {
  return checkScheduleInput(validate<ScheduleInput>('body', ScheduleBody, body));
}

/** The checks after the schema (the dispatcher already validated `input` against `ScheduleBody`). */
export function checkScheduleInput(input: ScheduleInput): ScheduleInput {
  if (!isGuid(input.qlikSenseTaskId)) {
    throw new ApiError('VALIDATION', 'body/qlikSenseTaskId must be a task GUID');
  }
  compileCron(input.cronSchedule, input.timezone);
  return input;
}

/** The stored object must stay small whatever extra fields a client adds. */
export function checkStoredSize(value: unknown): void {
  const bytes = Buffer.byteLength(JSON.stringify(value), 'utf8');
  if (bytes > L.bytes) {
    throw new ApiError('VALIDATION', `body must NOT be larger than ${L.bytes} bytes as a stored schedule`);
  }
}
