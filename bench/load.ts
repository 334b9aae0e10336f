/**
 * A closed-loop load generator on undici: `connections` workers, each with its own keep-alive
 * connection and one request in flight (no pipelining), for a fixed duration. Records every latency.
 */
import { performance } from 'node:perf_hooks';
import { Pool, type Dispatcher } from 'undici';

export interface LoadTarget {
  /** Origin, e.g. http://127.0.0.1:8080 */
  origin: string;
  path: string;
  method: Dispatcher.HttpMethod;
  headers?: Record<string, string>;
  body?: string;
  /** Status every answer must have; any other counts as an error. */
  expectStatus: number;
  /** TLS options for https origins (client certificate for mTLS). */
  connect?: Pool.Options['connect'];
}

export interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
}

function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

const round = (value: number, digits: number): number => Math.round(value * 10 ** digits) / 10 ** digits;

/** Runs the load for `durationMs` and returns throughput and latency percentiles. */
export async function runLoad(
  target: LoadTarget,
  opts: { connections: number; durationMs: number },
): Promise<LoadResult> {
  const pool = new Pool(target.origin, {
    connections: opts.connections,
    pipelining: 1,
    connect: target.connect,
  });
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const started = performance.now();
  const deadline = started + opts.durationMs;
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      try {
        const res = await pool.request({
          path: target.path,
          method: target.method,
          headers: target.headers,
          body: target.body,
        });
        await res.body.dump();
        if (res.statusCode !== target.expectStatus) {
          errors++;
          firstError ??= `status ${res.statusCode}`;
          continue;
        }
        latencies.push(performance.now() - t0);
      } catch (err) {
        errors++;
        firstError ??= (err as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: opts.connections }, worker));
  const seconds = (performance.now() - started) / 1000;
  await pool.close();
  if (errors > 0 && latencies.length === 0) {
    throw new Error(`${target.method} ${target.path}: every request failed (${firstError ?? '?'})`);
  }
  const sorted = Float64Array.from(latencies).sort();
  return {
    requests: latencies.length,
    errors,
    seconds: round(seconds, 2),
    rps: Math.round(latencies.length / seconds),
    p50Ms: round(percentile(sorted, 0.5), 2),
    p99Ms: round(percentile(sorted, 0.99), 2),
  };
}
