/**
 * The create/update body (Butler's schema plus limits) and the checks Ajv cannot express: a GUID task
 * id, a parsable cron in a known time zone, and the stored size.
 */
import { ApiError } from '../http/errors';
import { validate, type JsonSchema } from '../http/validation';
import { isGuid } from '../guid';
import { compileCron } from './cron';
import { SCHEDULE_LIMITS as L, type ScheduleInput } from './types';

export const scheduleBodySchema: JsonSchema = {
  type: 'object',
  required: ['name', 'cronSchedule', 'timezone', 'qlikSenseTaskId', 'startupState'],
  properties: {
    name: { type: 'string', maxLength: L.name },
    cronSchedule: { type: 'string', minLength: 1, maxLength: L.cronSchedule },
    timezone: { type: 'string', minLength: 1, maxLength: L.timezone },
    qlikSenseTaskId: { type: 'string', maxLength: 36 },
    startupState: { type: 'string', enum: ['start', 'started', 'stop', 'stopped'] },
    tags: { type: 'array', maxItems: L.tags, items: { type: 'string', maxLength: L.tag } },
  },
};

/** Validates a create/update body; returns it (coerced, extra fields kept). */
export function parseScheduleInput(body: unknown): ScheduleInput {
  const input = validate<ScheduleInput>('body', scheduleBodySchema, body);
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
