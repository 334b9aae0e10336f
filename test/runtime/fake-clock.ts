/**
 * Manually driven clock for timer tests: time moves only through advanceTo/advanceBy, which fire due
 * callbacks in time order, so no test ever waits for a real schedule.
 */
import type { Clock } from '../../runtime/timers';

interface PendingTimeout {
  readonly id: number;
  readonly at: number;
  readonly fn: () => void;
}

export class FakeClock implements Clock {
  private current: number;
  private pending: PendingTimeout[] = [];
  private nextId = 1;
  /** every delay ever requested, for asserting the 2^31-1 ms chunking */
  readonly requestedDelays: number[] = [];

  constructor(start: string | Date) {
    this.current = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  setTimeout(fn: () => void, ms: number): unknown {
    this.requestedDelays.push(ms);
    const timeout = { id: this.nextId++, at: this.current + Math.max(0, ms), fn };
    this.pending.push(timeout);
    return timeout.id;
  }

  clearTimeout(handle: unknown): void {
    this.pending = this.pending.filter((timeout) => timeout.id !== handle);
  }

  /** number of armed timeouts */
  get pendingCount(): number {
    return this.pending.length;
  }

  /** when the earliest armed timeout is due, as ISO text */
  get nextDue(): string | undefined {
    const earliest = this.earliest();
    return earliest ? new Date(earliest.at).toISOString() : undefined;
  }

  /** moves time forward, firing every timeout due on the way (including ones armed by earlier callbacks) */
  advanceTo(target: string | Date): void {
    const targetMs = new Date(target).getTime();
    for (let fired = 0; fired < 10_000; fired++) {
      const earliest = this.earliest();
      if (!earliest || earliest.at > targetMs) break;
      this.pending = this.pending.filter((timeout) => timeout !== earliest);
      this.current = Math.max(this.current, earliest.at);
      earliest.fn();
    }
    this.current = Math.max(this.current, targetMs);
  }

  advanceBy(ms: number): void {
    this.advanceTo(new Date(this.current + ms));
  }

  private earliest(): PendingTimeout | undefined {
    return this.pending.reduce<PendingTimeout | undefined>(
      (best, timeout) => (best === undefined || timeout.at < best.at ? timeout : best),
      undefined,
    );
  }
}

/** resolves once `condition` holds, checked once per event-loop turn; `limitMs` only turns a hang into a failure */
export async function eventually(condition: () => boolean, what: string, limitMs = 30_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
