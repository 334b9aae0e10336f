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

/** One admitted request: a plain object with methods, so admitting allocates one thing, not six. */
class Ticket implements ThrottleTicket {
  state: 'queued' | 'running' | 'done' = 'queued';
  queued = false;
  ready: Promise<void> = READY;
  #wake: (() => void) | undefined;

  constructor(private readonly throttle: RequestThrottle) {}

  /** Waits for a slot: `ready` settles when #drain hands one over (or on release). */
  queue(): void {
    this.queued = true;
    this.ready = new Promise<void>((resolve) => (this.#wake = resolve));
  }

  wake(): void {
    this.#wake?.();
  }

  release(): void {
    if (this.state === 'done') return;
    const wasQueued = this.state === 'queued';
    this.state = 'done';
    // A waiter released while queued is settled too; it must check that its client is still there.
    if (wasQueued) this.#wake?.();
    this.throttle.free(this, wasQueued);
  }
}

export class RequestThrottle {
  #running = 0;
  #outstanding = 0;
  /** When a running slot was last freed (or the throttle made): progress, for the liveness probe. */
  #lastFreed = Date.now();
  readonly #queue: Ticket[] = [];

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
    const ticket = new Ticket(this);
    // The usual case, a free slot: no promise to make and none to wait for.
    if (this.maxConcurrent < 0 || this.#running < this.maxConcurrent) this.takeSlot(ticket);
    else {
      ticket.queue();
      this.#queue.push(ticket);
    }
    return ticket;
  }

  /** Marks `ticket` running in a slot (called by the throttle, or by #drain for a queued one). */
  takeSlot(ticket: Ticket): void {
    // A slot that was idle does not count as a stall.
    if (this.#running === 0) this.#lastFreed = Date.now();
    this.#running++;
    ticket.state = 'running';
  }

  /** Gives back what `ticket` holds; runs once per ticket (Ticket.release checks). */
  free(ticket: Ticket, wasQueued: boolean): void {
    if (wasQueued) {
      const index = this.#queue.indexOf(ticket);
      if (index >= 0) this.#queue.splice(index, 1);
    } else {
      this.#running--;
      this.#lastFreed = Date.now();
    }
    this.#outstanding--;
    this.#drain();
  }

  #drain(): void {
    while (this.#queue.length > 0 && (this.maxConcurrent < 0 || this.#running < this.maxConcurrent)) {
      const next = this.#queue.shift();
      if (next) {
        this.takeSlot(next);
        next.wake();
      }
    }
  }
}
