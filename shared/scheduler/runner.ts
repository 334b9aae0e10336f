/**
 * Fires due schedules. A timer trigger calls `tick()` every second on every host; each due occurrence
 * is claimed with a conditional create (`<scheduleId>|<occurrence>`) before its task starts, so it
 * fires once however many hosts share the state. Only the latest due occurrence fires: occurrences
 * missed while every host was down are replayed once, not one by one (docs/scheduler.md).
 */
import type { Logger } from '../log';
import { errorMessage } from '../log';
import type { StateStore } from '../state/store';
import { mapLimit } from '../concurrency/map-limit';
import { isStateConflict } from '../state/store';
import { CronCache } from './cron';
import { CLAIM_PARTITION, claimRow, ScheduleTables } from './store';
import type { LastRun, StoredSchedule } from './types';

export type TaskStartResult = { ok: true; executionId: string | null } | { ok: false; error: string };
/** Starts one Sense task; never throws (failures are results). */
export type TaskStarter = (taskId: string) => Promise<TaskStartResult>;

export interface RunnerOptions {
  now?: () => Date;
  log: Logger;
  startTask: TaskStarter;
  /** How many task starts one tick runs at once. */
  concurrency?: number;
  /** How often a host sweeps old claims. */
  cleanupEveryMs?: number;
  /** A claim is kept at least this long, so a slow host cannot claim the same occurrence again. */
  claimRetentionMs?: number;
}

export interface Firing {
  scheduleId: string;
  occurrence: string;
  result: TaskStartResult;
}

interface Due {
  scheduleId: string;
  taskId: string;
  occurrence: Date;
}

// An upstream error text can be long; the schedule keeps a bounded excerpt (the log has it whole).
const MAX_ERROR_CHARS = 500;
const clip = (text: string) =>
  text.length > MAX_ERROR_CHARS ? `${text.slice(0, MAX_ERROR_CHARS - 1)}…` : text;

/** Occurrences at or before this instant never fire for the schedule: its start, or its last firing. */
function floorOf(stored: StoredSchedule): number {
  const since = Date.parse(stored.since);
  const last = Date.parse(stored.schedule.lastRun?.occurrence ?? '');
  return Math.max(Number.isNaN(since) ? 0 : since, Number.isNaN(last) ? 0 : last);
}

export class ScheduleRunner {
  private readonly tables: ScheduleTables;
  private readonly now: () => Date;
  private readonly crons = new CronCache();
  private readonly badCron = new Set<string>();
  private lastCleanup = 0;

  constructor(
    store: StateStore,
    private readonly opts: RunnerOptions,
  ) {
    this.tables = new ScheduleTables(store);
    this.now = opts.now ?? (() => new Date());
  }

  /** Fires every schedule whose next occurrence has come; returns what this host fired. */
  async tick(): Promise<Firing[]> {
    const now = this.now();
    const due: Due[] = [];
    for (const { row, value } of await this.tables.list()) {
      const s = value.schedule;
      if (s.lastKnownState !== 'started') continue;
      let cron;
      try {
        cron = this.crons.get(s.cronSchedule, s.timezone);
      } catch (err) {
        if (!this.badCron.has(row)) this.opts.log.warn(`schedule ${row} cannot fire: ${errorMessage(err)}`);
        this.badCron.add(row);
        continue;
      }
      const next = cron.next(new Date(floorOf(value)));
      if (!next || next > now) continue;
      const occurrence = cron.latest(now) ?? next;
      due.push({ scheduleId: row, taskId: s.qlikSenseTaskId, occurrence });
    }
    const fired = await mapLimit(due, this.opts.concurrency ?? 8, (d) => this.fire(d));
    if (now.getTime() - this.lastCleanup >= (this.opts.cleanupEveryMs ?? 60_000)) {
      this.lastCleanup = now.getTime();
      await this.cleanup(now);
    }
    return fired.filter((f): f is Firing => f !== undefined);
  }

  private async fire(due: Due): Promise<Firing | undefined> {
    const occurrence = due.occurrence.toISOString();
    try {
      await this.tables.claims.insert(CLAIM_PARTITION, claimRow(due.scheduleId, occurrence), {
        scheduleId: due.scheduleId,
        occurrence,
        claimedAt: this.now().toISOString(),
      });
    } catch (err) {
      if (!isStateConflict(err)) {
        this.opts.log.error(`schedule ${due.scheduleId}: cannot claim ${occurrence}: ${errorMessage(err)}`);
      }
      return undefined; // another host (or an earlier tick) owns this occurrence
    }
    const at = this.now().toISOString();
    const result = await this.opts.startTask(due.taskId);
    const lastRun: LastRun = result.ok
      ? { occurrence, at, status: 'started', executionId: result.executionId }
      : { occurrence, at, status: 'failed', executionId: null, error: clip(result.error) };
    if (result.ok) {
      this.opts.log.info(
        `schedule ${due.scheduleId} fired (${occurrence}): task ${due.taskId} started, execution ${result.executionId ?? 'unknown'}`,
      );
    } else {
      this.opts.log.warn(
        `schedule ${due.scheduleId} fired (${occurrence}): task ${due.taskId} not started: ${result.error}`,
      );
    }
    try {
      await this.tables.mutate(due.scheduleId, (current) => {
        const previous = Date.parse(current.schedule.lastRun?.occurrence ?? '');
        if (!Number.isNaN(previous) && previous > due.occurrence.getTime()) return undefined;
        return { ...current, schedule: { ...current.schedule, lastRun } };
      });
    } catch (err) {
      this.opts.log.error(`schedule ${due.scheduleId}: cannot record the firing: ${errorMessage(err)}`);
    }
    return { scheduleId: due.scheduleId, occurrence, result };
  }

  /**
   * Drops claims that can no longer matter: their schedule is gone, or a later firing is recorded on
   * it (so its floor already keeps the occurrence from firing again), once they are old enough.
   */
  private async cleanup(now: Date): Promise<void> {
    try {
      const floors = new Map((await this.tables.list()).map((e) => [e.row, floorOf(e.value)]));
      const retention = this.opts.claimRetentionMs ?? 10 * 60_000;
      for (const claim of await this.tables.claims.list(CLAIM_PARTITION)) {
        const { scheduleId, occurrence, claimedAt } = claim.value;
        if (now.getTime() - Date.parse(claimedAt) < retention) continue;
        const floor = floors.get(scheduleId);
        if (floor !== undefined && Date.parse(occurrence) > floor) continue;
        await this.tables.claims.delete(CLAIM_PARTITION, claim.row, claim.etag).catch((err: unknown) => {
          if (!isStateConflict(err)) throw err;
        });
      }
    } catch (err) {
      this.opts.log.warn(`schedule claim cleanup failed: ${errorMessage(err)}`);
    }
  }
}
