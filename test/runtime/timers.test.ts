import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { parseTimerSchedule } from '../../runtime/ncrontab';
import {
  TimerScheduler,
  fileTimerStatusStore,
  memoryTimerStatusStore,
  systemClock,
  type TimerDefinition,
  type TimerInfo,
  type TimerStatusStore,
} from '../../runtime/timers';
import { FakeClock, eventually } from './fake-clock';

interface Gate {
  promise: Promise<void>;
  open(): void;
}

function gate(): Gate {
  let open = (): void => undefined;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

interface Harness {
  clock: FakeClock;
  scheduler: TimerScheduler;
  runs: TimerInfo[];
  logs: string[];
  /** runs currently inside the handler, and the most ever seen at once */
  active: { now: number; max: number };
}

const schedulers: TimerScheduler[] = [];
after(async () => {
  await Promise.all(schedulers.map((scheduler) => scheduler.stop()));
});

function harness(opts: {
  start: string;
  schedule: string;
  useMonitor?: boolean;
  runOnStartup?: boolean;
  store?: TimerStatusStore;
  handler?: (info: TimerInfo, runNumber: number) => Promise<void>;
}): Harness {
  const clock = new FakeClock(opts.start);
  const logs: string[] = [];
  const runs: TimerInfo[] = [];
  const active = { now: 0, max: 0 };
  const scheduler = new TimerScheduler({
    clock,
    statusStore: opts.store ?? memoryTimerStatusStore(),
    log: (level, msg) => logs.push(`${level}: ${msg}`),
  });
  schedulers.push(scheduler);
  const def: TimerDefinition = {
    name: 'cleanup',
    schedule: parseTimerSchedule(opts.schedule),
    useMonitor: opts.useMonitor ?? false,
    runOnStartup: opts.runOnStartup ?? false,
    run: async (info) => {
      runs.push(info);
      active.now++;
      active.max = Math.max(active.max, active.now);
      try {
        await opts.handler?.(info, runs.length);
      } finally {
        active.now--;
      }
    },
  };
  scheduler.add(def);
  return { clock, scheduler, runs, logs, active };
}

const NEVER = '0001-01-01T00:00:00.000Z';

describe('TimerScheduler schedule', () => {
  it('runs at each occurrence and re-arms after the run', async () => {
    const h = harness({ start: '2024-01-01T00:00:30Z', schedule: '0 */5 * * * *' });
    await h.scheduler.start();
    assert.equal(h.clock.nextDue, '2024-01-01T00:05:00.000Z');
    h.clock.advanceTo('2024-01-01T00:05:00Z');
    await eventually(() => h.runs.length === 1 && h.clock.pendingCount === 1, 'first run and re-arm');
    assert.equal(h.clock.nextDue, '2024-01-01T00:10:00.000Z');
    assert.deepEqual(h.runs[0], { isPastDue: false, schedule: { adjustForDST: true } });
    assert.equal('scheduleStatus' in (h.runs[0] ?? {}), false);
    h.clock.advanceTo('2024-01-01T00:10:00Z');
    await eventually(() => h.runs.length === 2 && h.clock.pendingCount === 1, 'second run');
    await h.scheduler.stop();
  });

  it('skips occurrences missed during a long run instead of queueing them', async () => {
    const release = gate();
    const h = harness({
      start: '2024-01-01T00:00:00Z',
      schedule: '0 */5 * * * *',
      handler: (_info, run) => (run === 1 ? release.promise : Promise.resolve()),
    });
    await h.scheduler.start();
    h.clock.advanceTo('2024-01-01T00:05:00Z');
    await eventually(() => h.runs.length === 1, 'long run to start');
    h.clock.advanceTo('2024-01-01T00:17:00Z');
    assert.equal(h.clock.pendingCount, 0, 'nothing is armed while the run is in progress');
    release.open();
    await eventually(() => h.clock.pendingCount === 1, 're-arm after the run');
    assert.equal(h.clock.nextDue, '2024-01-01T00:20:00.000Z');
    assert.equal(h.runs.length, 1);
    await h.scheduler.stop();
  });

  it('logs a handler error and keeps the schedule going', async () => {
    const h = harness({
      start: '2024-01-01T00:00:00Z',
      schedule: '0 */5 * * * *',
      handler: (_info, run) =>
        run === 1 ? Promise.reject(new Error('sense unreachable')) : Promise.resolve(),
    });
    await h.scheduler.start();
    h.clock.advanceTo('2024-01-01T00:05:00Z');
    await eventually(() => h.clock.pendingCount === 1 && h.runs.length === 1, 're-arm after a failure');
    assert.ok(h.logs.some((line) => line.startsWith('error:') && line.includes('sense unreachable')));
    h.clock.advanceTo('2024-01-01T00:10:00Z');
    await eventually(() => h.runs.length === 2, 'run after the failure');
    await h.scheduler.stop();
  });

  it('re-arms long waits in chunks no longer than setTimeout allows', async () => {
    const h = harness({ start: '2024-01-01T00:00:00Z', schedule: '30.00:00:00' });
    await h.scheduler.start();
    const maxDelay = 2 ** 31 - 1;
    assert.equal(h.clock.requestedDelays[0], maxDelay);
    h.clock.advanceBy(maxDelay);
    assert.equal(h.runs.length, 0);
    assert.equal(h.clock.nextDue, '2024-01-31T00:00:00.000Z');
    h.clock.advanceTo('2024-01-31T00:00:00Z');
    await eventually(() => h.runs.length === 1, 'run after 30 days');
    assert.ok(h.clock.requestedDelays.every((delay) => delay <= maxDelay));
    await h.scheduler.stop();
  });
});

describe('TimerScheduler one run at a time', () => {
  it('queues a manual invoke behind the running one', async () => {
    const first = gate();
    const order: string[] = [];
    const h = harness({
      start: '2024-01-01T00:00:00Z',
      schedule: '0 0 * * * *',
      handler: async (_info, run) => {
        order.push(`start ${run}`);
        if (run === 1) await first.promise;
        order.push(`end ${run}`);
      },
    });
    await h.scheduler.start();
    const one = h.scheduler.invoke('cleanup');
    const two = h.scheduler.invoke('CLEANUP', { isPastDue: true });
    await eventually(() => h.runs.length === 1, 'first manual run');
    first.open();
    await Promise.all([one, two]);
    assert.deepEqual(order, ['start 1', 'end 1', 'start 2', 'end 2']);
    assert.equal(h.active.max, 1);
    assert.equal(h.runs[1]?.isPastDue, true);
    await h.scheduler.stop();
  });

  it('runs a due occurrence after a manual run ends, not alongside it', async () => {
    const manual = gate();
    const h = harness({
      start: '2024-01-01T00:04:00Z',
      schedule: '0 */5 * * * *',
      handler: (_info, run) => (run === 1 ? manual.promise : Promise.resolve()),
    });
    await h.scheduler.start();
    const invoked = h.scheduler.invoke('cleanup');
    await eventually(() => h.runs.length === 1, 'manual run');
    h.clock.advanceTo('2024-01-01T00:05:00Z');
    assert.equal(h.runs.length, 1);
    manual.open();
    await invoked;
    await eventually(() => h.runs.length === 2 && h.clock.pendingCount === 1, 'scheduled run');
    assert.equal(h.active.max, 1);
    assert.equal(h.clock.nextDue, '2024-01-01T00:10:00.000Z');
    await h.scheduler.stop();
  });

  it('stop() cancels future runs and waits for the running one', async () => {
    const release = gate();
    const h = harness({
      start: '2024-01-01T00:00:00Z',
      schedule: '0 */5 * * * *',
      handler: () => release.promise,
    });
    await h.scheduler.start();
    h.clock.advanceTo('2024-01-01T00:05:00Z');
    await eventually(() => h.runs.length === 1, 'run in progress');
    let stopped = false;
    const stopping = h.scheduler.stop().then(() => {
      stopped = true;
    });
    await new Promise<void>((resolve) => setImmediate(resolve));
    assert.equal(stopped, false, 'stop waits for the running handler');
    release.open();
    await stopping;
    assert.equal(h.clock.pendingCount, 0);
    h.clock.advanceTo('2024-01-01T01:00:00Z');
    assert.equal(h.runs.length, 1);
    await assert.rejects(h.scheduler.invoke('cleanup'), /stopped/);
  });

  it('rejects unknown names, duplicates and late additions', async () => {
    const h = harness({ start: '2024-01-01T00:00:00Z', schedule: '0 0 * * * *' });
    const def: TimerDefinition = {
      name: 'Cleanup',
      schedule: parseTimerSchedule('0 0 * * * *'),
      runOnStartup: false,
      useMonitor: false,
      run: () => Promise.resolve(),
    };
    assert.throws(() => h.scheduler.add(def), /already registered/);
    await h.scheduler.start();
    assert.throws(() => h.scheduler.add({ ...def, name: 'other' }), /before the scheduler starts/);
    await assert.rejects(h.scheduler.invoke('missing'), /no timer function named "missing"/);
    await h.scheduler.stop();
  });
});

describe('TimerScheduler start-up runs and status', () => {
  it('runs once on startup when runOnStartup is set', async () => {
    const h = harness({ start: '2024-01-01T00:02:00Z', schedule: '0 */5 * * * *', runOnStartup: true });
    await h.scheduler.start();
    assert.equal(h.runs.length, 1);
    assert.equal(h.runs[0]?.isPastDue, false);
    assert.equal(h.clock.nextDue, '2024-01-01T00:05:00.000Z');
    await h.scheduler.stop();
  });

  it('initialises the status on first start without running anything', async () => {
    const store = memoryTimerStatusStore();
    const h = harness({ start: '2024-01-01T00:02:00Z', schedule: '0 */5 * * * *', useMonitor: true, store });
    await h.scheduler.start();
    assert.equal(h.runs.length, 0);
    assert.deepEqual(await store.get('cleanup'), {
      last: NEVER,
      next: '2024-01-01T00:05:00.000Z',
      lastUpdated: '2024-01-01T00:02:00.000Z',
    });
    h.clock.advanceTo('2024-01-01T00:05:00Z');
    await eventually(() => h.clock.pendingCount === 1 && h.runs.length === 1, 'scheduled run');
    assert.deepEqual(h.runs[0]?.scheduleStatus, {
      last: NEVER,
      next: '2024-01-01T00:05:00.000Z',
      lastUpdated: '2024-01-01T00:02:00.000Z',
    });
    const saved = await store.get('cleanup');
    assert.deepEqual(saved, {
      last: '2024-01-01T00:05:00.000Z',
      next: '2024-01-01T00:10:00.000Z',
      lastUpdated: '2024-01-01T00:05:00.000Z',
    });
    await h.scheduler.stop();
  });

  it('makes ONE past-due run when occurrences were missed, taking priority over runOnStartup', async () => {
    const store = memoryTimerStatusStore();
    const recorded = {
      last: '2024-01-01T00:00:00.000Z',
      next: '2024-01-01T00:05:00.000Z',
      lastUpdated: '2024-01-01T00:00:00.000Z',
    };
    await store.set('cleanup', recorded);
    const h = harness({
      start: '2024-01-01T01:02:00Z',
      schedule: '0 */5 * * * *',
      useMonitor: true,
      runOnStartup: true,
      store,
    });
    await h.scheduler.start();
    assert.equal(h.runs.length, 1);
    assert.deepEqual(h.runs[0], {
      isPastDue: true,
      schedule: { adjustForDST: true },
      scheduleStatus: recorded,
    });
    assert.ok(h.logs.some((line) => line.includes('past due')));
    assert.equal(h.clock.nextDue, '2024-01-01T01:05:00.000Z');
    assert.deepEqual(await store.get('cleanup'), {
      last: '2024-01-01T01:02:00.000Z',
      next: '2024-01-01T01:05:00.000Z',
      lastUpdated: '2024-01-01T01:02:00.000Z',
    });
    await h.scheduler.stop();
  });

  it('is not past due while the recorded next occurrence is still ahead', async () => {
    const store = memoryTimerStatusStore();
    await store.set('cleanup', {
      last: '2024-01-01T00:00:00.000Z',
      next: '2024-01-01T00:05:00.000Z',
      lastUpdated: '2024-01-01T00:00:01.000Z',
    });
    const h = harness({ start: '2024-01-01T00:04:59Z', schedule: '0 */5 * * * *', useMonitor: true, store });
    await h.scheduler.start();
    assert.equal(h.runs.length, 0);
    assert.equal(h.clock.nextDue, '2024-01-01T00:05:00.000Z');
    await h.scheduler.stop();
  });

  it('recomputes the recorded next occurrence when the schedule changed', async () => {
    const store = memoryTimerStatusStore();
    // written under an hourly schedule; the timer now runs every five minutes
    await store.set('cleanup', {
      last: '2024-01-01T00:00:00.000Z',
      next: '2024-01-01T01:00:00.000Z',
      lastUpdated: '2024-01-01T00:00:01.000Z',
    });
    const h = harness({ start: '2024-01-01T00:03:00Z', schedule: '0 */5 * * * *', useMonitor: true, store });
    await h.scheduler.start();
    assert.equal(h.runs.length, 0);
    assert.equal((await store.get('cleanup'))?.next, '2024-01-01T00:05:00.000Z');
    await h.scheduler.stop();
  });

  it('omits scheduleStatus and stores nothing when useMonitor is false', async () => {
    const store = memoryTimerStatusStore();
    const h = harness({
      start: '2024-01-01T00:00:00Z',
      schedule: '*/10 * * * * *',
      store,
      runOnStartup: true,
    });
    await h.scheduler.start();
    h.clock.advanceTo('2024-01-01T00:00:10Z');
    await eventually(() => h.runs.length === 2, 'scheduled run');
    assert.ok(h.runs.every((info) => !('scheduleStatus' in info)));
    assert.equal(await store.get('cleanup'), undefined);
    await h.scheduler.stop();
  });

  it('gives manual runs the current status without changing it', async () => {
    const store = memoryTimerStatusStore();
    const h = harness({ start: '2024-01-01T00:02:00Z', schedule: '0 */5 * * * *', useMonitor: true, store });
    await h.scheduler.start();
    const before = await store.get('cleanup');
    h.clock.advanceBy(1000);
    await h.scheduler.invoke('cleanup');
    assert.deepEqual(h.runs[0]?.scheduleStatus, before);
    assert.deepEqual(await store.get('cleanup'), before);
    await h.scheduler.stop();
  });
});

describe('fileTimerStatusStore', () => {
  const dirs: string[] = [];
  after(async () => {
    await Promise.all(dirs.map((dir) => fs.rm(dir, { recursive: true, force: true })));
  });

  async function tempDir(): Promise<string> {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'timer-status-'));
    dirs.push(dir);
    return path.join(dir, 'timers');
  }

  it('persists status across scheduler restarts and drives the past-due run', async () => {
    const dir = await tempDir();
    const first = harness({
      start: '2024-01-01T00:00:30Z',
      schedule: '0 */5 * * * *',
      useMonitor: true,
      store: fileTimerStatusStore(dir),
    });
    await first.scheduler.start();
    first.clock.advanceTo('2024-01-01T00:05:00Z');
    await eventually(() => first.clock.pendingCount === 1, 'first scheduler run');
    await first.scheduler.stop();
    const onDisk = JSON.parse(await fs.readFile(path.join(dir, 'cleanup.status.json'), 'utf8')) as unknown;
    assert.deepEqual(onDisk, {
      last: '2024-01-01T00:05:00.000Z',
      next: '2024-01-01T00:10:00.000Z',
      lastUpdated: '2024-01-01T00:05:00.000Z',
    });
    assert.deepEqual(await fs.readdir(dir), ['cleanup.status.json'], 'no temporary files are left behind');

    const second = harness({
      start: '2024-01-01T00:21:00Z',
      schedule: '0 */5 * * * *',
      useMonitor: true,
      store: fileTimerStatusStore(dir),
    });
    await second.scheduler.start();
    assert.equal(second.runs.length, 1);
    assert.equal(second.runs[0]?.isPastDue, true);
    assert.equal(second.runs[0]?.scheduleStatus?.last, '2024-01-01T00:05:00.000Z');
    await second.scheduler.stop();
  });

  it('reports a corrupt status file clearly; the scheduler logs it and starts afresh', async () => {
    const dir = await tempDir();
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(path.join(dir, 'cleanup.status.json'), '{"last": ');
    const store = fileTimerStatusStore(dir);
    await assert.rejects(store.get('cleanup'), /not valid JSON/);
    const h = harness({ start: '2024-01-01T00:00:00Z', schedule: '0 */5 * * * *', useMonitor: true, store });
    await h.scheduler.start();
    assert.equal(h.runs.length, 0);
    assert.ok(
      h.logs.some((line) => line.startsWith('warn:') && line.includes('cannot read schedule status')),
    );
    assert.equal((await store.get('cleanup'))?.next, '2024-01-01T00:05:00.000Z');
    await h.scheduler.stop();
  });

  it('refuses timer names that are not safe file names', async () => {
    const store = fileTimerStatusStore(await tempDir());
    await assert.rejects(store.set('../escape', { last: '', next: '', lastUpdated: '' }), /status file name/);
    await assert.rejects(store.get('a/b'), /status file name/);
    assert.equal(await store.get('unknown'), undefined);
  });
});

describe('systemClock', () => {
  it('fires timeouts and honours clearTimeout', async () => {
    let cancelledFired = false;
    const cancelled = systemClock.setTimeout(() => {
      cancelledFired = true;
    }, 1);
    systemClock.clearTimeout(cancelled);
    await new Promise<void>((resolve) => systemClock.setTimeout(resolve, 5));
    assert.equal(cancelledFired, false);
    assert.ok(Math.abs(systemClock.now().getTime() - Date.now()) < 1000);
  });
});
