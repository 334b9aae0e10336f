/**
 * `npm run bench`: the host's speed next to its floors, in one run. Every target runs in its own child
 * process (bench/servers.ts); this process only generates load (bench/load.ts) over loopback.
 * Rounds interleave the targets so a noisy neighbour hits them alike; the medians of the rounds, the
 * ratios (the median of each round's ratio, and the ratio of the medians) and the three targets' verdicts
 * go to bench/results/latest.json (and a dated copy) and to the console.
 * Options: --seconds N (per target and round, default 3), --rounds N (default 5), --connections N (20),
 * --warmup N (seconds of load per target before the rounds, default 3),
 * --only name,name (measure some targets; results are then not recorded), --profile-dir DIR (CPU profiles).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { openSync, closeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { createTestPki, type TestPki } from '../test/helpers/pki';
import { startAzurite } from '../test/helpers/azurite';
import { FIXTURE } from '../test/sensesim/fixtures';
import { runLoad, type LoadResult, type LoadTarget } from './load';
import type { ChildArgs, Ready } from './servers';

const RESULTS_DIR = path.join(__dirname, '..', '..', 'bench', 'results');

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at > 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} needs a positive number`);
  return value;
}

function textOption(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1] : undefined;
}

interface Child {
  ready: Ready;
  process: ChildProcess;
}

/** Forks a target; its stdout (the host log) goes to a file so logging costs what it costs in production. */
function startChild(args: ChildArgs, logFile: string): Promise<Child> {
  const out = openSync(logFile, 'w');
  const profileDir = textOption('profile-dir');
  // --profile-dir D: every target writes a CPU profile of its serving time (start-up left out) into D/<mode>.
  const withProfile: ChildArgs = profileDir
    ? { ...args, profileDir: path.resolve(profileDir, args.mode) }
    : args;
  const child = fork(path.join(__dirname, 'servers.js'), [JSON.stringify(withProfile)], {
    stdio: ['ignore', out, 'inherit', 'ipc'],
  });
  closeSync(out);
  return new Promise((resolve, reject) => {
    child.once('message', (message) => resolve({ ready: message as Ready, process: child }));
    child.once('exit', (code) => reject(new Error(`bench target ${args.mode} exited with ${code}`)));
  });
}

/** The child's CPU time so far, in microseconds. */
function cpuOf(child: Child): Promise<number> {
  return new Promise((resolve) => {
    const onMessage = (message: unknown): void => {
      if (typeof message === 'object' && message !== null && 'cpu' in message) {
        child.process.off('message', onMessage);
        resolve((message as { cpu: number }).cpu);
      }
    };
    child.process.on('message', onMessage);
    child.process.send('cpu');
  });
}

async function cpuOfAll(children: Child[]): Promise<number> {
  let total = 0;
  for (const child of children) total += await cpuOf(child);
  return total;
}

function stopChild(child: Child): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.process.kill('SIGKILL'), 10_000);
    child.process.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.process.send('stop');
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

interface Summary {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  /** Server-side CPU per answered request (host, plus the simulator for Sense targets). */
  cpuUsPerRequest: number;
  /** The load generator's own CPU per request (for a direct QRS start: the mTLS client's share). */
  clientCpuUsPerRequest: number;
  rounds: Measured[];
}

type Measured = LoadResult & { cpuUsPerRequest: number; loadCpuUsPerRequest: number };

function summarise(rounds: Measured[]): Summary {
  return {
    rps: Math.round(median(rounds.map((r) => r.rps))),
    p50Ms: median(rounds.map((r) => r.p50Ms)),
    p99Ms: median(rounds.map((r) => r.p99Ms)),
    cpuUsPerRequest: Math.round(median(rounds.map((r) => r.cpuUsPerRequest))),
    clientCpuUsPerRequest: Math.round(median(rounds.map((r) => r.loadCpuUsPerRequest))),
    errors: rounds.reduce((sum, r) => sum + r.errors, 0),
    rounds,
  };
}

const ratio = (a: Summary | undefined, b: Summary | undefined): number | null =>
  a && b && b.rps > 0 ? Math.round((a.rps / b.rps) * 1000) / 1000 : null;

/**
 * The median of the per-round ratios. The two targets of a pair run one after the other in every round,
 * so a slower minute of this shared machine hits both sides of a round's ratio alike; the ratio of the
 * medians mixes rounds from different minutes.
 */
const pairedRatio = (a: Summary | undefined, b: Summary | undefined): number | null => {
  if (!a || !b) return null;
  const perRound = a.rounds.flatMap((round, i) => {
    const other = b.rounds[i];
    return other && other.rps > 0 ? [round.rps / other.rps] : [];
  });
  return perRound.length ? Math.round(median(perRound) * 1000) / 1000 : null;
};

/** The same comparison by server CPU per request (b's cost over a's): steadier on a busy machine. */
const cpuRatio = (a: Summary | undefined, b: Summary | undefined): number | null =>
  a && b && a.cpuUsPerRequest > 0 ? Math.round((b.cpuUsPerRequest / a.cpuUsPerRequest) * 1000) / 1000 : null;

/** One pair's three comparisons, as recorded. */
const compare = (a: Summary | undefined, b: Summary | undefined) => ({
  'req/s': pairedRatio(a, b),
  'req/s of medians': ratio(a, b),
  cpu: cpuRatio(a, b),
});

/**
 * The order of one round. Targets that are compared run back to back, and every other round in reverse
 * (ABBA), so whatever one target leaves behind (a collection to finish, pages to write back) does not
 * always land on the same side of a ratio. The targets that are only recorded run last: the key-value
 * writes (fsync per batch) and the Azurite-backed host, which leave the most behind; a pause after them
 * lets that settle before the next round's compared targets.
 */
const COMPARED_GROUPS = [
  ['raw', 'floor', 'ping', 'kvGet'],
  ['taskStart', 'qrsStart'],
];
const RECORDED_ONLY = ['kvSet', 'kvGetTable', 'kvSetTable'];
const SETTLE_MS = 2000;

function roundOrder(round: number): string[] {
  const groups = COMPARED_GROUPS.map((group) => (round % 2 === 0 ? [...group].reverse() : group));
  return [...groups.flat(), ...RECORDED_ONLY];
}

async function main(): Promise<void> {
  const seconds = option('seconds', 3);
  const rounds = option('rounds', 5);
  const warmup = option('warmup', 3);
  const connections = option('connections', 20);
  const pki: TestPki = await createTestPki();
  const logDir = path.join(os.tmpdir(), `bench-logs-${process.pid}`);
  await mkdir(logDir, { recursive: true });
  const children: Child[] = [];
  let stopAzurite: () => Promise<void> = () => Promise.resolve();
  try {
    const raw = await startChild({ mode: 'raw' }, path.join(logDir, 'raw.log'));
    children.push(raw);
    const floor = await startChild({ mode: 'floor' }, path.join(logDir, 'floor.log'));
    children.push(floor);
    const sense = await startChild({ mode: 'sense', pki }, path.join(logDir, 'sense.log'));
    children.push(sense);
    const senseSection = {
      host: '127.0.0.1',
      qrsPort: sense.ready.qrsPort,
      enginePort: 1,
      serverName: 'localhost',
      cert: pki.clientCert,
      key: pki.clientKey,
      ca: pki.caCert,
      timeoutMs: 10_000,
    };
    const product = await startChild(
      { mode: 'product', sense: senseSection },
      path.join(logDir, 'product.log'),
    );
    children.push(product);
    const key = product.ready.key ?? '';
    // The same host on the table backend (Azurite), for the scale-out path's key-value cost.
    const azuriteStart = await startAzurite();
    if (azuriteStart.skip !== undefined) throw new Error(`Azurite: ${azuriteStart.skip}`);
    const azurite = azuriteStart.azurite;
    stopAzurite = () => azurite.stop();
    const productTable = await startChild(
      {
        mode: 'product',
        sense: senseSection,
        state: {
          backend: 'table',
          table: { connectionString: azurite.connectionString, tablePrefix: 'bench' },
        },
      },
      path.join(logDir, 'product-table.log'),
    );
    children.push(productTable);
    const tableKey = productTable.ready.key ?? '';
    const mtls = {
      cert: await readFile(pki.clientCert),
      key: await readFile(pki.clientKey),
      ca: await readFile(pki.caCert),
      servername: 'localhost',
    };
    const xrfkey = 'abcdefghijklmnop';
    const kvItem = JSON.stringify({ key: 'item', value: 'value of the bench item' });
    for (const [origin, hostKey] of [
      [product.ready.origin, key],
      [productTable.ready.origin, tableKey],
    ]) {
      const seeded = await request(`${origin}/v4/keyvalues/bench`, {
        method: 'POST',
        headers: { 'x-functions-key': hostKey ?? '', 'content-type': 'application/json' },
        body: kvItem,
      });
      await seeded.body.dump();
      if (seeded.statusCode !== 201)
        throw new Error(`seeding the key-value item answered ${seeded.statusCode}`);
    }
    const kvGetOf = (origin: string, hostKey: string): LoadTarget => ({
      origin,
      path: '/v4/keyvalues/bench?key=item',
      method: 'GET',
      headers: { 'x-functions-key': hostKey },
      expectStatus: 200,
    });
    // Every connection overwrites the same key: the store's write path (file: fsync + rename batches).
    const kvSetOf = (origin: string, hostKey: string): LoadTarget => ({
      origin,
      path: '/v4/keyvalues/bench',
      method: 'POST',
      headers: { 'x-functions-key': hostKey, 'content-type': 'application/json' },
      body: kvItem,
      expectStatus: 201,
    });

    const targets: Record<string, LoadTarget | null> = {
      raw: { origin: raw.ready.origin, path: '/v4/butlerping', method: 'GET', expectStatus: 200 },
      floor: { origin: floor.ready.origin, path: '/v4/butlerping', method: 'GET', expectStatus: 200 },
      ping: {
        origin: product.ready.origin,
        path: '/v4/butlerping',
        method: 'GET',
        headers: { 'x-functions-key': key },
        expectStatus: 200,
      },
      // Key-value get and set through the product host: file backend (default) and table (Azurite).
      kvGet: kvGetOf(product.ready.origin, key),
      kvSet: kvSetOf(product.ready.origin, key),
      kvGetTable: kvGetOf(productTable.ready.origin, tableKey),
      kvSetTable: kvSetOf(productTable.ready.origin, tableKey),
      taskStart: {
        origin: product.ready.origin,
        path: `/v4/reloadtask/${FIXTURE.taskReloadSales}/start`,
        method: 'PUT',
        headers: { 'x-functions-key': key, 'content-type': 'application/json' },
        body: '[]',
        expectStatus: 200,
      },
      qrsStart: {
        origin: sense.ready.origin,
        path: `/qrs/task/${FIXTURE.taskReloadSales}/start/synchronous?xrfkey=${xrfkey}`,
        method: 'POST',
        headers: {
          accept: 'application/json',
          'x-qlik-xrfkey': xrfkey,
          'x-qlik-user': 'UserDirectory=INTERNAL; UserId=sa_repository',
        },
        expectStatus: 200,
        connect: mtls,
      },
    };
    // --only a,b: measure just these targets (profiling one path).
    const only = textOption('only')?.split(',');
    // Which processes serve each target (their CPU is charged to it).
    const servers: Record<string, Child[]> = {
      raw: [raw],
      floor: [floor],
      ping: [product],
      kvGet: [product],
      kvSet: [product],
      kvGetTable: [productTable],
      kvSetTable: [productTable],
      taskStart: [product, sense],
      qrsStart: [sense],
    };
    const active = Object.entries(targets).filter(
      (e): e is [string, LoadTarget] => e[1] !== null && (!only || only.includes(e[0])),
    );
    // Warm-up: JIT (a path is optimised only after thousands of calls), connection pools, TLS sessions.
    for (const [, target] of active) await runLoad(target, { connections, durationMs: warmup * 1000 });
    const results = new Map<string, Measured[]>();
    const activeTargets = new Map(active);
    for (let round = 1; round <= rounds; round++) {
      const order = roundOrder(round).filter((name) => activeTargets.has(name));
      for (const name of order) {
        const target = activeTargets.get(name);
        if (!target) continue;
        const cpuBefore = await cpuOfAll(servers[name] ?? []);
        const loadCpuBefore = process.cpuUsage();
        const load = await runLoad(target, { connections, durationMs: seconds * 1000 });
        const loadCpu = process.cpuUsage(loadCpuBefore);
        const cpuUsed = (await cpuOfAll(servers[name] ?? [])) - cpuBefore;
        const result = {
          ...load,
          cpuUsPerRequest: Math.round(cpuUsed / Math.max(1, load.requests)),
          loadCpuUsPerRequest: Math.round((loadCpu.user + loadCpu.system) / Math.max(1, load.requests)),
        };
        results.set(name, [...(results.get(name) ?? []), result]);
        process.stdout.write(
          `round ${round} ${name.padEnd(9)} ${String(result.rps).padStart(6)} req/s  p50 ${result.p50Ms} ms  p99 ${result.p99Ms} ms  server CPU ${result.cpuUsPerRequest} µs/req  client CPU ${result.loadCpuUsPerRequest} µs/req  errors ${result.errors}\n`,
        );
      }
      if (order.some((name) => RECORDED_ONLY.includes(name))) await delay(SETTLE_MS);
    }
    const summary = Object.fromEntries([...results].map(([name, list]) => [name, summarise(list)]));
    const ratios = {
      'raw / floor': compare(summary.raw, summary.floor),
      'ping / floor (target >= 0.8)': compare(summary.ping, summary.floor),
      'kvGet / ping (target >= 0.9)': compare(summary.kvGet, summary.ping),
      'kvSet / ping (file)': compare(summary.kvSet, summary.ping),
      'kvGetTable / ping': compare(summary.kvGetTable, summary.ping),
      'kvSetTable / ping': compare(summary.kvSetTable, summary.ping),
      'taskStart / qrsStart (target >= 0.45)': compare(summary.taskStart, summary.qrsStart),
    };
    // The three targets, judged on the paired ratio of req/s (null: a target was not measured).
    const verdicts = Object.fromEntries(
      (
        [
          ['ping / floor', 'ping / floor (target >= 0.8)', 0.8],
          ['kvGet / ping', 'kvGet / ping (target >= 0.9)', 0.9],
          ['taskStart / qrsStart', 'taskStart / qrsStart (target >= 0.45)', 0.45],
        ] as const
      ).map(([name, key, target]) => {
        const value = ratios[key]['req/s'];
        return [name, { ratio: value, target, met: value === null ? null : value >= target }];
      }),
    );
    const loadavg = os.loadavg().map((v) => Math.round(v * 100) / 100);
    const record = {
      date: new Date().toISOString(),
      node: process.version,
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model,
      loadAverageAtEnd: loadavg,
      connections,
      secondsPerRound: seconds,
      warmupSeconds: warmup,
      rounds,
      summary,
      ratios,
      targets: verdicts,
    };
    console.table(
      Object.fromEntries(
        Object.entries(summary).map(([name, s]) => [
          name,
          {
            'req/s': s.rps,
            'p50 ms': s.p50Ms,
            'p99 ms': s.p99Ms,
            'server CPU µs/req': s.cpuUsPerRequest,
            'client CPU µs/req': s.clientCpuUsPerRequest,
            errors: s.errors,
          },
        ]),
      ),
    );
    console.table(ratios);
    console.table(verdicts);
    console.log(`load average at end: ${loadavg.join(' ')}`);
    if (only) return;
    await mkdir(RESULTS_DIR, { recursive: true });
    const text = JSON.stringify(record, null, 2) + '\n';
    await writeFile(path.join(RESULTS_DIR, 'latest.json'), text);
    await writeFile(path.join(RESULTS_DIR, `${record.date.slice(0, 16).replace(/:/g, '')}.json`), text);
  } finally {
    await Promise.all(children.map(stopChild));
    await stopAzurite();
    await rm(pki.dir, { recursive: true, force: true });
    await rm(logDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
