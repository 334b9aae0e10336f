/**
 * The host's HTTP throttle (`extensions.http`): at most `maxConcurrent` requests run, at most `maxOutstanding`
 * are admitted in total (running + queued). -1 means unbounded. Overflow is refused (→ 429 by the caller).
 */
export interface ThrottleTicket {
  /** Resolves when the request may run (or when it was released while still queued). */
  ready: Promise<void>;
  /** Frees the slot (running or queued). Idempotent, so "finished" and "client went away" may both call it. */
  release(): void;
}

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
    let startNow!: () => void;
    const ready = new Promise<void>((resolve) => (startNow = resolve));
    const entry = {
      start: () => {
        // A slot that was idle does not count as a stall.
        if (this.#running === 0) this.#lastFreed = Date.now();
        state = 'running';
        this.#running++;
        startNow();
      },
    };
    if (this.maxConcurrent < 0 || this.#running < this.maxConcurrent) entry.start();
    else this.#queue.push(entry);
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
    return { ready, release };
  }

  #drain(): void {
    while (this.#queue.length > 0 && (this.maxConcurrent < 0 || this.#running < this.maxConcurrent)) {
      this.#queue.shift()?.start();
    }
  }
}
