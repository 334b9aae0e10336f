/**
 * Timer trigger scheduling with the Functions host's rules: one run at a time per timer, the next
 * occurrence computed after a run ends (missed ones are skipped, not queued), handler errors never stop
 * the schedule, `useMonitor` status with a single past-due run at start, and `runOnStartup`.
 */
import type { TimerSchedule } from './ncrontab';
import type { TimerStatus, TimerStatusStore } from './timer-status-store';
import { memoryTimerStatusStore } from './timer-status-store';

export { fileTimerStatusStore, memoryTimerStatusStore } from './timer-status-store';
export type { TimerStatus, TimerStatusStore } from './timer-status-store';

export interface Clock {
  now(): Date;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => new Date(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface TimerInfo {
  isPastDue: boolean;
  schedule: { adjustForDST: boolean };
  scheduleStatus?: TimerStatus;
}

export interface TimerDefinition {
  name: string;
  schedule: TimerSchedule;
  runOnStartup: boolean;
  useMonitor: boolean;
  run(info: TimerInfo): Promise<void>;
}

type LogLevel = 'info' | 'warn' | 'error';
type RunKind = 'scheduled' | 'past-due' | 'startup' | 'manual';

interface TimerState {
  readonly def: TimerDefinition;
  /** settles when the last queued run has finished: runs of one timer never overlap */
  tail: Promise<void>;
  handle: unknown;
}

// setTimeout fires at once for delays above 2^31-1 ms, so longer waits are re-armed in chunks
const MAX_TIMEOUT_MS = 2 ** 31 - 1;
// the host's DateTime.MinValue: "never ran"
const NEVER = '0001-01-01T00:00:00.000Z';

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class TimerScheduler {
  private readonly clock: Clock;
  private readonly statusStore: TimerStatusStore;
  private readonly log: (level: LogLevel, msg: string) => void;
  private readonly timers = new Map<string, TimerState>();
  private started = false;
  private stopped = false;

  constructor(opts: {
    clock?: Clock;
    statusStore?: TimerStatusStore;
    log?: (level: 'info' | 'warn' | 'error', msg: string) => void;
  }) {
    this.clock = opts.clock ?? systemClock;
    this.statusStore = opts.statusStore ?? memoryTimerStatusStore();
    this.log = opts.log ?? (() => undefined);
  }

  add(def: TimerDefinition): void {
    if (this.started) throw new Error(`timer "${def.name}" must be added before the scheduler starts`);
    const key = def.name.toLowerCase();
    if (this.timers.has(key)) throw new Error(`a timer named "${def.name}" is already registered`);
    this.timers.set(key, { def, tail: Promise.resolve(), handle: undefined });
  }

  /** past-due check (useMonitor): ONE immediate run with isPastDue=true if an occurrence was missed; else
   *  runOnStartup run; then schedule. Resolves once those start-up runs have finished, as the host's
   *  listener start does. */
  async start(): Promise<void> {
    if (this.started) throw new Error('timer scheduler already started');
    this.started = true;
    await Promise.all([...this.timers.values()].map((state) => this.startTimer(state)));
  }

  /** manual run, respects one-at-a-time (waits for the current run, then runs). Handler errors are logged. */
  async invoke(name: string, opts?: { isPastDue?: boolean }): Promise<void> {
    const state = this.timers.get(name.toLowerCase());
    if (!state) throw new Error(`no timer function named "${name}"`);
    if (this.stopped) throw new Error(`timer scheduler is stopped; "${name}" was not run`);
    await this.enqueue(state, () => this.execute(state, 'manual', opts?.isPastDue ?? false));
  }

  /** cancels future runs, waits for running ones */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const state of this.timers.values()) this.disarm(state);
    await Promise.all([...this.timers.values()].map((state) => state.tail));
  }

  private async startTimer(state: TimerState): Promise<void> {
    const { def } = state;
    const pastDue = def.useMonitor ? await this.checkPastDue(def) : false;
    if (pastDue) {
      await this.enqueue(state, () => this.execute(state, 'past-due', true));
    } else if (def.runOnStartup) {
      await this.enqueue(state, () => this.execute(state, 'startup', false));
    } else {
      this.arm(state, def.schedule.next(this.clock.now()));
    }
    const next = def.schedule.next(this.clock.now());
    this.log(
      'info',
      `timer "${def.name}" (${def.schedule.text}) next run at ${next?.toISOString() ?? 'never'}`,
    );
  }

  /**
   * The host's past-due rule: a missing status is initialised (not past due); a recorded `next` that no longer
   * follows from `last`/`lastUpdated` means the schedule changed and is recomputed; past due = now > next.
   */
  private async checkPastDue(def: TimerDefinition): Promise<boolean> {
    const now = this.clock.now();
    const status = await this.readStatus(def);
    const recordedNext = status ? Date.parse(status.next) : Number.NaN;
    if (!status || Number.isNaN(recordedNext)) {
      await this.writeStatus(def, {
        last: status?.last ?? NEVER,
        next: this.nextText(def, now),
        lastUpdated: iso(now),
      });
      return false;
    }
    const lastRun = status.last === NEVER ? Number.NaN : Date.parse(status.last);
    const fromLast = Number.isNaN(lastRun) ? undefined : def.schedule.next(new Date(lastRun))?.getTime();
    const lastUpdated = Date.parse(status.lastUpdated);
    const fromUpdate = Number.isNaN(lastUpdated)
      ? undefined
      : def.schedule.next(new Date(lastUpdated))?.getTime();
    let next = recordedNext;
    if (recordedNext !== fromLast && recordedNext !== fromUpdate) {
      next = fromLast ?? fromUpdate ?? def.schedule.next(now)?.getTime() ?? recordedNext;
      this.log(
        'info',
        `timer "${def.name}": schedule changed since the last run; next occurrence recomputed`,
      );
      await this.writeStatus(def, { ...status, next: new Date(next).toISOString(), lastUpdated: iso(now) });
    }
    if (now.getTime() <= next) return false;
    this.log(
      'warn',
      `timer "${def.name}" is past due (missed ${new Date(next).toISOString()}): running it now`,
    );
    return true;
  }

  private enqueue(state: TimerState, task: () => Promise<void>): Promise<void> {
    const run = state.tail.then(task);
    state.tail = run.catch((error: unknown) => {
      this.log('error', `timer "${state.def.name}" scheduler failure: ${errorText(error)}`);
    });
    return state.tail;
  }

  private async execute(
    state: TimerState,
    kind: RunKind,
    isPastDue: boolean,
    occurrence?: Date,
  ): Promise<void> {
    const { def } = state;
    if (this.stopped && kind !== 'manual') return;
    const startedAt = this.clock.now();
    const status = def.useMonitor ? await this.readStatus(def) : undefined;
    const info: TimerInfo = {
      isPastDue,
      schedule: { adjustForDST: def.schedule.adjustForDST ?? true },
      ...(status ? { scheduleStatus: status } : {}),
    };
    try {
      await def.run(info);
    } catch (error) {
      this.log('error', `timer "${def.name}" (${kind} run) failed: ${errorText(error)}`);
    }
    if (kind === 'manual') return;
    const endedAt = this.clock.now();
    const next = def.schedule.next(endedAt);
    if (def.useMonitor) {
      const last = iso(occurrence ?? startedAt);
      await this.writeStatus(def, { last, next: next ? next.toISOString() : '', lastUpdated: iso(endedAt) });
    }
    this.arm(state, next);
  }

  private arm(state: TimerState, due: Date | null): void {
    this.disarm(state);
    if (this.stopped) return;
    if (due === null) {
      this.log('warn', `timer "${state.def.name}" has no future occurrence and will not run again`);
      return;
    }
    const delay = Math.max(0, due.getTime() - this.clock.now().getTime());
    state.handle = this.clock.setTimeout(() => this.onTimeout(state, due), Math.min(delay, MAX_TIMEOUT_MS));
  }

  private disarm(state: TimerState): void {
    if (state.handle !== undefined) this.clock.clearTimeout(state.handle);
    state.handle = undefined;
  }

  private onTimeout(state: TimerState, due: Date): void {
    state.handle = undefined;
    if (this.stopped) return;
    // a long wait's intermediate chunk, or a timer that fired a little early: wait for the rest
    if (this.clock.now().getTime() < due.getTime()) {
      this.arm(state, due);
      return;
    }
    void this.enqueue(state, () => this.execute(state, 'scheduled', false, due));
  }

  private nextText(def: TimerDefinition, after: Date): string {
    return def.schedule.next(after)?.toISOString() ?? '';
  }

  private async readStatus(def: TimerDefinition): Promise<TimerStatus | undefined> {
    try {
      return await this.statusStore.get(def.name);
    } catch (error) {
      this.log('warn', `timer "${def.name}": cannot read schedule status (${errorText(error)}); ignoring it`);
      return undefined;
    }
  }

  private async writeStatus(def: TimerDefinition, status: TimerStatus): Promise<void> {
    try {
      await this.statusStore.set(def.name, status);
    } catch (error) {
      this.log('error', `timer "${def.name}": cannot save schedule status: ${errorText(error)}`);
    }
  }
}

function iso(date: Date): string {
  return date.toISOString();
}
