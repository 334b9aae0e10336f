/**
 * The schedule service behind the eight scheduler endpoints (docs/scheduler.md): create, read,
 * update, delete, start and stop schedules kept in the state layer, and report their status. Firing
 * is the runner's job (runner.ts); both share the tables, so any host serves any request.
 */
import { randomUUID } from 'node:crypto';
import { ApiError } from '../http/errors';
import { isGuid } from '../guid';
import type { StateStore } from '../state/store';
import { CronCache } from './cron';
import { checkStoredSize } from './input';
import { ScheduleTables, SCHEDULE_PARTITION } from './store';
import {
  SCHEDULE_LIMITS,
  SERVER_FIELDS,
  type RunState,
  type Schedule,
  type ScheduleInput,
  type ScheduleStatus,
  type StoredSchedule,
} from './types';

export interface ScheduleServiceOptions {
  now?: () => Date;
  maxSchedules?: number;
}

function notFound(id: string): ApiError {
  return new ApiError('SCHEDULE_NOT_FOUND', `Schedule ID ${id} not found`);
}

/** The client's fields without the ones the server owns. */
function editable(input: ScheduleInput): ScheduleInput {
  const copy: Record<string, unknown> = { ...input };
  for (const field of SERVER_FIELDS) delete copy[field];
  return copy as ScheduleInput;
}

function initialState(input: ScheduleInput): RunState {
  return input.startupState === 'start' || input.startupState === 'started' ? 'started' : 'stopped';
}

export class ScheduleService {
  private readonly tables: ScheduleTables;
  private readonly now: () => Date;
  private readonly maxSchedules: number;
  private readonly crons = new CronCache();
  /** Creates in this process run one at a time, so the count limit holds exactly on one host. */
  private creating: Promise<unknown> = Promise.resolve();

  constructor(store: StateStore, opts: ScheduleServiceOptions = {}) {
    this.tables = new ScheduleTables(store);
    this.now = opts.now ?? (() => new Date());
    this.maxSchedules = opts.maxSchedules ?? SCHEDULE_LIMITS.maxSchedules;
  }

  async list(): Promise<Schedule[]> {
    return (await this.tables.list()).map((e) => e.value.schedule);
  }

  async get(id: string): Promise<Schedule> {
    const entity = isGuid(id) ? await this.tables.get(id.toLowerCase()) : undefined;
    if (!entity) throw notFound(id);
    return entity.value.schedule;
  }

  create(input: ScheduleInput): Promise<Schedule> {
    const run = this.creating.then(() => this.createNow(input));
    this.creating = run.catch(() => undefined);
    return run;
  }

  private async createNow(input: ScheduleInput): Promise<Schedule> {
    const existing = await this.tables.schedules.list(SCHEDULE_PARTITION);
    if (existing.length >= this.maxSchedules) {
      throw new ApiError(
        'STATE_CONFLICT',
        `At most ${this.maxSchedules} schedules can exist; delete one before creating another`,
      );
    }
    const now = this.now().toISOString();
    const schedule: Schedule = {
      ...editable(input),
      id: randomUUID(),
      created: now,
      lastKnownState: initialState(input),
    };
    const order = existing.reduce((max, e) => Math.max(max, e.value.order), 0) + 1;
    const stored: StoredSchedule = { schedule, since: now, order };
    checkStoredSize(stored);
    await this.tables.schedules.insert(SCHEDULE_PARTITION, schedule.id, stored);
    return schedule;
  }

  /** Replaces the editable and extra fields; keeps id, created, lastKnownState and lastRun. */
  async update(id: string, input: ScheduleInput): Promise<Schedule> {
    const stored = await this.change(id, (current) => {
      const old = current.schedule;
      const schedule: Schedule = {
        ...editable(input),
        id: old.id,
        created: old.created,
        lastKnownState: old.lastKnownState,
        ...(old.lastRun ? { lastRun: old.lastRun } : {}),
      };
      // A new cron or zone must not fire an occurrence that the old one never had.
      const timingChanged = old.cronSchedule !== schedule.cronSchedule || old.timezone !== schedule.timezone;
      const next = { ...current, schedule, since: timingChanged ? this.now().toISOString() : current.since };
      checkStoredSize(next);
      return next;
    });
    return stored.schedule;
  }

  async remove(id: string): Promise<void> {
    const deleted = isGuid(id) && (await this.tables.schedules.delete(SCHEDULE_PARTITION, id.toLowerCase()));
    if (!deleted) throw notFound(id);
  }

  async setState(id: string, state: RunState): Promise<Schedule> {
    return (await this.change(id, (current) => this.withState(current, state))).schedule;
  }

  async setStateAll(state: RunState): Promise<Schedule[]> {
    for (const entity of await this.tables.list()) {
      await this.tables.mutate(entity.row, (current) => this.withState(current, state));
    }
    return this.list();
  }

  async status(): Promise<ScheduleStatus[]> {
    const now = this.now();
    return (await this.list()).map((s) => ({
      id: s.id,
      name: s.name,
      cronSchedule: s.cronSchedule,
      timezone: s.timezone,
      status: s.lastKnownState === 'started' ? 'Running' : 'Stopped',
      nextRun: s.lastKnownState === 'started' ? this.nextRun(s, now) : null,
    }));
  }

  private nextRun(s: Schedule, now: Date): string | null {
    try {
      return this.crons.get(s.cronSchedule, s.timezone).next(now)?.toISOString() ?? null;
    } catch {
      return null; // stored before a rule tightened: shown, never fired
    }
  }

  /** Idempotent: an unchanged state writes nothing. Starting resets `since`: no replay of stopped time. */
  private withState(current: StoredSchedule, state: RunState): StoredSchedule | undefined {
    if (current.schedule.lastKnownState === state) return undefined;
    return {
      ...current,
      schedule: { ...current.schedule, lastKnownState: state },
      since: state === 'started' ? this.now().toISOString() : current.since,
    };
  }

  private async change(
    id: string,
    fn: (current: StoredSchedule) => StoredSchedule | undefined,
  ): Promise<StoredSchedule> {
    const stored = isGuid(id) ? await this.tables.mutate(id.toLowerCase(), fn) : undefined;
    if (!stored) throw notFound(id);
    return stored;
  }
}
