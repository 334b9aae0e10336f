import type { CoreShim, RegisteredFunction } from '../core-shim';
import type { HostLog, RateLimitedLog } from '../log';
import type { RouteTable } from '../router';
import type { HostSettings } from '../settings';
import type { RequestThrottle } from '../throttle';

export type AuthLevel = 'anonymous' | 'function' | 'admin';

/** What the pipeline needs from the key ring (runtime/keys.ts). */
export interface KeyAuthorizer {
  authorize(level: AuthLevel, functionName: string, key: string | undefined): boolean;
  isMaster(key: string | undefined): boolean;
}

export interface ClientFilter {
  allows(address: string): boolean;
}

/** Counts requests and background invocations so a graceful close can wait for them. */
export class InFlightTracker {
  #count = 0;
  #waiters: (() => void)[] = [];

  get count(): number {
    return this.#count;
  }

  begin(): () => void {
    this.#count++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.#count--;
      if (this.#count === 0) this.#waiters.splice(0).forEach((wake) => wake());
    };
  }

  /** Resolves true when nothing is in flight, false when `timeoutMs` passed first. */
  idle(timeoutMs: number): Promise<boolean> {
    if (this.#count === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== wake);
        resolve(false);
      }, timeoutMs);
      const wake = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      this.#waiters.push(wake);
    });
  }
}

export interface PipelineContext {
  secure: boolean;
  /** HTML of the `/` page. */
  homepage: string;
  /** host:port used when a request has no usable Host header. */
  fallbackHost: string;
  clients: ClientFilter;
  settings: HostSettings;
  throttle: RequestThrottle;
  routes: RouteTable;
  /** Loaded functions by lower-cased name. */
  functions: Map<string, RegisteredFunction>;
  /** Lower-cased names of functions disabled through `AzureWebJobs.<name>.Disabled`. */
  disabled: Set<string>;
  keys: KeyAuthorizer;
  shim: CoreShim;
  /** The library's stream listener when the app called `app.setup({ enableHttpStream: true })`. */
  httpStreamUri: URL | undefined;
  log: HostLog;
  /** Rate-limited lines for refusals: failed key checks, refused clients, failed TLS handshakes. */
  audit: { keys: RateLimitedLog; clients: RateLimitedLog; tls: RateLimitedLog };
  inFlight: InFlightTracker;
  isClosing(): boolean;
  /** Runs a non-HTTP function in the background (admin endpoint); resolves when it was started. */
  startNonHttp(fn: RegisteredFunction, input: string): void;
  status(): Record<string, unknown>;
  /** Liveness: every concurrency slot busy with none freed for the stall timeout. */
  stalled(): boolean;
}
