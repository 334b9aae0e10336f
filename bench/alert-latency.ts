/**
 * Reload-alert latency: from the simulator finishing a task (its QRS change notification) to the
 * alert arriving at a webhook sink, through the embedded host: callback, execution-result read,
 * task/app/owner lookups, script-log reference + wait + download, claim in the state store, delivery.
 * Usage: node dist/bench/alert-latency.js [--iterations N]. Writes
 * bench/results/alert-latency.json and prints a table.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
// First import: installs the core shim (and the loopback-only egress guard) before @azure/functions loads.
import '../test/preload';
import { eventually } from '../test/helpers/alert-sinks';
import { startAlertEnv } from '../test/alerts/alerts-env';
import { FIXTURE } from '../test/sensesim/fixtures';

function arg(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
}

function stats(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  const round = (v: number) => Math.round(v * 10) / 10;
  return {
    n: sorted.length,
    meanMs: round(sorted.reduce((a, b) => a + b, 0) / sorted.length),
    p50Ms: round(at(0.5)),
    p95Ms: round(at(0.95)),
    maxMs: round(sorted.at(-1) ?? 0),
  };
}

async function main(): Promise<void> {
  const iterations = arg('--iterations', 40);
  const t = await startAlertEnv({
    alerts: ({ sink }) => ({
      backstopSeconds: 3600,
      channels: { webhook: [{ name: 'bench', url: `${sink}/bench` }] },
    }),
  });
  try {
    await eventually('a QRS subscription', () => t.env.sim.notifications.subscriptions.size === 1);
    const tasks = [FIXTURE.taskReloadSales, FIXTURE.taskReloadFinance, FIXTURE.taskReloadHr];
    const samples: number[] = [];
    for (let i = 0; i < iterations + 5; i++) {
      const t0 = performance.now();
      const result = await t.env.sim.finishTask(tasks[i % tasks.length] ?? '', { outcome: 'fail' });
      let arrived: number | undefined;
      await eventually(
        'delivery',
        () => {
          arrived = t.sink.delivered('/bench').find((r) => r.body.includes(result.id))?.at;
          return arrived !== undefined;
        },
        30_000,
      );
      if (i >= 5) samples.push((arrived ?? t0) - t0); // the first five warm up TLS and JIT
    }
    const result = {
      date: new Date().toISOString(),
      node: process.version,
      cpus: os.cpus().length,
      iterations,
      notificationToDelivery: stats(samples),
      note: 'includes the deliberate 500 ms wait between the script-log reference and its download (a real QRS needs it); file state store (the default)',
    };
    const dir = path.join(__dirname, '..', '..', 'bench', 'results');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'alert-latency.json'), JSON.stringify(result, null, 2) + '\n');
    console.table({ notificationToDelivery: result.notificationToDelivery });
  } finally {
    await t.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
