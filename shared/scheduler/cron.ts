/**
 * Cron expressions of user schedules: 5 fields (minute precision) or 6 (with seconds), month 1-12,
 * day-of-week 0-6, and Vixie cron's OR when both day-of-month and day-of-week are restricted (croner's
 * default; `domAndDow` stays off). Times are computed in the schedule's IANA time zone, DST included.
 */
import { Cron } from 'croner';
import { ApiError } from '../http/errors';

export interface CompiledCron {
  /** First occurrence strictly after `after`, or null when there is none. */
  next(after: Date): Date | null;
  /** Latest occurrence at or before `at`, or null. */
  latest(at: Date): Date | null;
}

/** Throws SCHEDULE_INVALID_TIMEZONE unless `timezone` is an IANA zone name this runtime knows. */
export function checkTimezone(timezone: string): void {
  try {
    if (timezone.trim() === '') throw new RangeError('empty');
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    throw new ApiError(
      'SCHEDULE_INVALID_TIMEZONE',
      `body/timezone '${timezone}' is not a known IANA time zone (e.g. Europe/Stockholm)`,
    );
  }
}

function invalidCron(expression: string, why: string): ApiError {
  return new ApiError('SCHEDULE_INVALID_CRON', `body/cronSchedule '${expression}' is invalid: ${why}`);
}

/** Validates and compiles; throws SCHEDULE_INVALID_CRON / SCHEDULE_INVALID_TIMEZONE naming the field. */
export function compileCron(expression: string, timezone: string): CompiledCron {
  checkTimezone(timezone);
  // croner replaces `?` with the current time, which differs between hosts: refuse it.
  if (expression.includes('?')) throw invalidCron(expression, "'?' is not supported");
  let cron: Cron;
  try {
    cron = new Cron(expression, { mode: '5-or-6-parts', timezone, domAndDow: false });
  } catch (err) {
    throw invalidCron(
      expression,
      err instanceof Error ? err.message.replace(/^CronPattern: /, '') : 'unparsable',
    );
  }
  if (cron.nextRun(new Date()) === null) throw invalidCron(expression, 'it never fires');
  return {
    next: (after) => cron.nextRun(after),
    // croner's previous runs are strictly before the reference's second; +1 ms includes `at` itself.
    latest: (at) => cron.previousRuns(1, new Date(at.getTime() + 1))[0] ?? null,
  };
}

/** Compiled crons by expression and zone, so a tick does not re-parse every schedule. */
export class CronCache {
  private readonly entries = new Map<string, CompiledCron>();

  constructor(private readonly maxEntries = 2000) {}

  get(expression: string, timezone: string): CompiledCron {
    const key = `${timezone}\u0000${expression}`;
    let compiled = this.entries.get(key);
    if (!compiled) {
      compiled = compileCron(expression, timezone);
      if (this.entries.size >= this.maxEntries) this.entries.clear();
      this.entries.set(key, compiled);
    }
    return compiled;
  }
}
