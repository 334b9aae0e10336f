/**
 * Task-start round trip: through the embedded host (HTTP → function → QRS over mTLS) versus a direct
 * QRS synchronous start with the same client, both against the Sense simulator on loopback.
 * Usage: npm run bench [-- --iterations N]. Writes bench/results/task-start.json and prints a table.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
// First import: installs the core shim (and the loopback-only egress guard) before @azure/functions loads.
import '../test/preload';
import { getServices } from '../shared/bootstrap';
import { startSenseEnv } from '../test/helpers/sense-env';
import { FIXTURE } from '../test/sensesim/fixtures';

interface Stats {
  n: number;
  meanMs: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
}

function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  const round = (v: number) => Math.round(v * 1000) / 1000;
  return {
    n: sorted.length,
    meanMs: round(sorted.reduce((a, b) => a + b, 0) / sorted.length),
    p50Ms: round(at(0.5)),
    p95Ms: round(at(0.95)),
    maxMs: round(sorted.at(-1) ?? 0),
  };
}

async function time(n: number, fn: () => Promise<void>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  return samples;
}

async function main(): Promise<void> {
  const flag = process.argv.indexOf('--iterations');
  const iterations = flag > 0 ? Number(process.argv[flag + 1]) : 300;
  const env = await startSenseEnv({ strictUser: true });
  try {
    const viaHost = async () => {
      const res = await env.api.call(`/v4/reloadtask/${FIXTURE.taskReloadSales}/start`, { method: 'PUT' });
      if (res.status !== 200) throw new Error(`host answered ${res.status}`);
    };
    const qrs = getServices().sense().qrs;
    const direct = async () => {
      const { executionId } = await qrs.startTaskSynchronous(FIXTURE.taskReloadSales);
      if (!executionId) throw new Error('not started');
    };
    await time(20, viaHost); // warm-up: TLS handshakes, JIT
    await time(20, direct);
    const hostStats = stats(await time(iterations, viaHost));
    const directStats = stats(await time(iterations, direct));
    const result = {
      date: new Date().toISOString(),
      node: process.version,
      cpus: os.cpus().length,
      iterations,
      viaHost: hostStats,
      directQrs: directStats,
      hostOverheadMeanMs: Math.round((hostStats.meanMs - directStats.meanMs) * 1000) / 1000,
      note: 'via host = HTTP + key check + validation + id lookup (GET /qrs/task) + synchronous start; direct = synchronous start only',
    };
    const dir = path.join(__dirname, '..', '..', 'bench', 'results');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'task-start.json'), JSON.stringify(result, null, 2) + '\n');
    console.table({ viaHost: hostStats, directQrs: directStats });
    console.log(`host overhead (mean): ${result.hostOverheadMeanMs} ms`);
  } finally {
    await env.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
