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

  /** A ticket, or undefined when the request must be refused. */
  tryAdmit(): ThrottleTicket | undefined {
    if (this.maxOutstanding >= 0 && this.#outstanding >= this.maxOutstanding) return undefined;
    this.#outstanding++;
    let state: 'queued' | 'running' | 'done' = 'queued';
    let startNow!: () => void;
    const ready = new Promise<void>((resolve) => (startNow = resolve));
    const entry = {
      start: () => {
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
