/**
 * The host's HTTP throttle (`extensions.http`): at most `maxConcurrent` requests run, at most `maxOutstanding`
 * are admitted in total (running + queued). -1 means unbounded. Overflow is refused (→ 429 by the caller).
 */
export interface ThrottleTicket {
  /** Resolves when the request may run (or when it was released while still queued). */
  ready: Promise<void>;
  /** False when the request got a slot at once (then `ready` is already settled: no need to wait). */
  queued: boolean;
  /** Frees the slot (running or queued). Idempotent, so "finished" and "client went away" may both call it. */
  release(): void;
}

const READY = Promise.resolve();

export class RequestThrottle {
  #running = 0;
  #outstanding = 0;
  /** When a running slot was last freed (or the throttle made): progress, for the liveness probe. */
  #lastFreed = Date.now();
  readonly #queue: { start: () => void }[] = [];

  constructor(
    private readonly maxConcurrent: number,
    private readonly maxOutstanding: number,
  ) {}

  get running(): number {
    return this.#running;
  }

  get outstanding(): number {
    return this.#outstanding;
  }

  /**
   * True when every concurrency slot is taken and none has been freed for `stallMs`: the host is
   * saturated and making no progress (liveness fails). Unbounded concurrency never stalls here.
   */
  stalled(stallMs: number, now = Date.now()): boolean {
    if (this.maxConcurrent < 0 || this.#running < this.maxConcurrent) return false;
    return now - this.#lastFreed >= stallMs;
  }

  /** A ticket, or undefined when the request must be refused. */
  tryAdmit(): ThrottleTicket | undefined {
    if (this.maxOutstanding >= 0 && this.#outstanding >= this.maxOutstanding) return undefined;
    this.#outstanding++;
    let state: 'queued' | 'running' | 'done' = 'queued';
    let startNow: () => void = () => undefined;
    const takeSlot = (): void => {
      // A slot that was idle does not count as a stall.
      if (this.#running === 0) this.#lastFreed = Date.now();
      state = 'running';
      this.#running++;
    };
    const entry = {
      start: () => {
        takeSlot();
        startNow();
      },
    };
    let ready = READY;
    const queued = !(this.maxConcurrent < 0 || this.#running < this.maxConcurrent);
    // The usual case, a free slot: no promise to make and none to wait for.
    if (!queued) takeSlot();
    else {
      ready = new Promise<void>((resolve) => (startNow = resolve));
      this.#queue.push(entry);
    }
    const release = (): void => {
      if (state === 'done') return;
      if (state === 'queued') {
        const index = this.#queue.indexOf(entry);
        if (index >= 0) this.#queue.splice(index, 1);
        startNow(); // settle the waiter; it must check that its client is still there
      } else {
        this.#running--;
        this.#lastFreed = Date.now();
      }
      state = 'done';
      this.#outstanding--;
      this.#drain();
    };
    return { ready, queued, release };
  }

  #drain(): void {
    while (this.#queue.length > 0 && (this.maxConcurrent < 0 || this.#running < this.maxConcurrent)) {
      this.#queue.shift()?.start();
    }
  }
}
