/**
 * Schedules as Butler stores them (docs/scheduler.md): the fields a client sends, plus `id`, `created`
 * and `lastKnownState` set by the server, and `lastRun` (this project's addition) recording the last
 * firing's outcome. Extra fields a client sends are kept, as Butler keeps them.
 */

import type { Static } from '@sinclair/typebox';
import type { ScheduleBody } from './input';
import type { LastRunSchema, ScheduleSchema, ScheduleStatusSchema } from './reply-schemas';

export const STARTUP_STATES = ['start', 'started', 'stop', 'stopped'] as const;
export type StartupState = (typeof STARTUP_STATES)[number];
export type RunState = 'started' | 'stopped';

/** The editable fields (create and update bodies), from their schema in ./input.ts, plus extra fields. */
export type ScheduleInput = Static<typeof ScheduleBody> & { [extra: string]: unknown };

/** The outcome of the most recent firing (no secrets in `error`: QRS status and message, or a denial). */
export type LastRun = Static<typeof LastRunSchema>;

/** A schedule as the API returns it (schema in ./reply-schemas.ts), extra fields included. */
export type Schedule = Static<typeof ScheduleSchema> & { [extra: string]: unknown };

/**
 * What the state table holds per schedule. Internal fields: occurrences at or before `since` never
 * fire; `order` keeps listings in creation order.
 */
export interface StoredSchedule {
  schedule: Schedule;
  since: string;
  order: number;
}

/** One line of GET /v4/schedules/status. */
export type ScheduleStatus = Static<typeof ScheduleStatusSchema>;

/** Fields the server owns: a client's values for them are replaced (Butler overwrote a client `id`). */
export const SERVER_FIELDS = ['id', 'created', 'lastKnownState', 'lastRun'] as const;

/** Limits on what a caller can make the state keep (documented in docs/scheduler.md). */
export const SCHEDULE_LIMITS = {
  maxSchedules: 1000,
  name: 200,
  cronSchedule: 100,
  timezone: 64,
  tags: 50,
  tag: 100,
  /** The whole stored schedule (extra fields included) as JSON, in UTF-8 bytes. */
  bytes: 8 * 1024,
} as const;
