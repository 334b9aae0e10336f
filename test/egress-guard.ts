import dns from 'node:dns';
import net from 'node:net';

/** Tests may talk to loopback only; anything else is refused and fails the test process at exit. */
const attempts: string[] = [];

function isLoopback(host: string | undefined): boolean {
  if (host === undefined || host === '' || host.toLowerCase() === 'localhost') return true;
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return /^127\.\d+\.\d+\.\d+$/.test(bare) || bare === '::1' || /^::ffff:127\.\d+\.\d+\.\d+$/.test(bare);
}

function targetOf(args: unknown[]): { host: string | undefined; unixPath: boolean } {
  const first = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
  if (typeof first === 'object' && first !== null) {
    const options = first as { host?: string; path?: string };
    return { host: options.host, unixPath: typeof options.path === 'string' };
  }
  if (typeof first === 'string' && !/^\d+$/.test(first)) return { host: undefined, unixPath: true };
  return { host: typeof args[1] === 'string' ? args[1] : undefined, unixPath: false };
}

/**
 * `tolerate`: destinations (host names or addresses) that are refused like every other but do not fail
 * the process, for a documented probe of a library under test (the telemetry SDK's settings poll).
 */
export function installEgressGuard(opts: { tolerate?: RegExp } = {}): void {
  const record = (host: string | undefined, attempt: string): void => {
    if (!(host !== undefined && opts.tolerate?.test(host))) attempts.push(attempt);
  };
  // Called below with the socket as `this`.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const originalConnect = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function guardedConnect(this: net.Socket, ...args: unknown[]) {
    const { host, unixPath } = targetOf(args);
    if (!unixPath && !isLoopback(host)) {
      record(host, `connect to ${String(host)}`);
      process.nextTick(() =>
        this.destroy(new Error(`egress guard: connection to ${String(host)} refused in tests`)),
      );
      return this;
    }
    return (originalConnect as (...a: unknown[]) => net.Socket).apply(this, args);
  };

  const originalLookup = dns.lookup;
  dns.lookup = function guardedLookup(hostname: string, ...rest: unknown[]) {
    if (!isLoopback(hostname)) {
      record(hostname, `DNS lookup of ${hostname}`);
      const callback = rest[rest.length - 1] as (err: Error) => void;
      process.nextTick(() =>
        callback(
          Object.assign(new Error(`egress guard: lookup of ${hostname} refused`), { code: 'ENOTFOUND' }),
        ),
      );
      return {} as never;
    }
    return (originalLookup as (...a: unknown[]) => unknown).call(dns, hostname, ...rest);
  } as typeof dns.lookup;

  process.on('exit', () => {
    if (attempts.length === 0) return;
    process.stderr.write(
      `egress guard: non-loopback network access attempted:\n  ${attempts.join('\n  ')}\n`,
    );
    process.exitCode = 1;
  });
}
