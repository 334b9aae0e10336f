import { EventEmitter, once } from 'node:events';
import { startEmbeddedHost, type EmbeddedHost, type EmbeddedHostOptions } from '../../runtime/host';
import { prepareConformanceApp } from './fixture-app';

/** Host log lines kept for assertions, with a bounded wait for a line that has not arrived yet. */
export class LogCapture {
  readonly lines: string[] = [];
  readonly #events = new EventEmitter();

  readonly sink = (line: string): void => {
    this.lines.push(line);
    this.#events.emit('line', line);
  };

  text(): string {
    return this.lines.join('\n');
  }

  async waitFor(predicate: (line: string) => boolean, timeoutMs = 5000): Promise<string> {
    const found = this.lines.find(predicate);
    if (found !== undefined) return found;
    const signal = AbortSignal.timeout(timeoutMs);
    for (;;) {
      const [line] = (await once(this.#events, 'line', { signal })) as [string];
      if (predicate(line)) return line;
    }
  }
}

export interface FixtureHost {
  host: EmbeddedHost;
  logs: LogCapture;
  url: string;
}

/** Starts the embedded host on the conformance app (port 0, loopback, temp keys unless given). */
export async function startFixtureHost(opts: Partial<EmbeddedHostOptions> = {}): Promise<FixtureHost> {
  const root = await prepareConformanceApp();
  const logs = new LogCapture();
  const host = await startEmbeddedHost({ port: 0, localSettings: false, ...opts, root, log: logs.sink });
  return { host, logs, url: host.url };
}

/** Resolves when `emitter` emits `event` with a first argument accepted by `accept` (bounded). */
export async function waitForEvent<T>(
  emitter: EventEmitter,
  event: string,
  accept: (value: T) => boolean = () => true,
  timeoutMs = 5000,
): Promise<T> {
  const signal = AbortSignal.timeout(timeoutMs);
  for (;;) {
    const [value] = (await once(emitter, event, { signal })) as [T];
    if (accept(value)) return value;
  }
}
