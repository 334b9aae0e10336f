/**
 * One bench target per child process (forked by bench/run.ts), so the load generator, the host and the
 * Sense simulator each have their own event loop, as in production. The child reports `{ready, ...}`
 * over IPC and stops on the message 'stop'.
 *   raw     node:http answering the ping JSON
 *   floor   node:http + @azure/functions HttpRequest, InvocationContext and HttpResponse per request
 *   sense   the Sense simulator (QRS over mTLS)
 *   product the embedded host with this project's functions, configured for the simulator (state:
 *           the file backend, or the `state` section it is given, e.g. table on Azurite)
 */
import http from 'node:http';
import { Session } from 'node:inspector';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export type Mode = 'raw' | 'floor' | 'sense' | 'product';

export interface ChildArgs {
  mode: Mode;
  /** product: the `sense` config section (simulator address and PKI files). */
  sense?: Record<string, unknown>;
  /** sense: the PKI files. */
  pki?: unknown;
  /** product: the `state` config section (default: the file backend in a temp dir). */
  state?: Record<string, unknown>;
  /** Write a CPU profile of the serving time (from ready to stop) into this directory. */
  profileDir?: string;
}

export interface Ready {
  ready: true;
  origin: string;
  key?: string;
  qrsPort?: number;
}

/** The same JSON the product's ping answers. */
export const PING_BODY = { response: 'Butler reporting for duty', butlerVersion: '0.1.0' };

function listen(server: http.Server): Promise<string> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`);
    });
  });
}

function startRaw(): Promise<string> {
  const body = Buffer.from(JSON.stringify(PING_BODY));
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': body.length });
    res.end(body);
  });
  return listen(server);
}

/**
 * The least a host must do to hand a request to a v4 handler and send its answer: build the library's
 * request and context, build the response and read its body.
 */
function startFloor(): Promise<string> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const lib = require('@azure/functions') as typeof import('@azure/functions');
  let sequence = 0;
  const noLog = (): void => undefined;
  const server = http.createServer((req, res) => {
    const headers: Record<string, string> = {};
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
      headers[req.rawHeaders[i]!.toLowerCase()] = req.rawHeaders[i + 1]!;
    }
    const request = new lib.HttpRequest({
      method: req.method ?? 'GET',
      url: `http://${req.headers.host ?? '127.0.0.1'}${req.url ?? '/'}`,
      headers,
    });
    const context = new lib.InvocationContext({
      invocationId: String(++sequence),
      functionName: 'ping',
      logHandler: noLog,
    });
    void request;
    void context;
    const response = new lib.HttpResponse({ jsonBody: PING_BODY });
    response.arrayBuffer().then(
      (bytes) => {
        const out = Buffer.from(bytes);
        res.writeHead(response.status, {
          'Content-Type': response.headers.get('content-type') ?? 'application/json',
          'Content-Length': out.length,
        });
        res.end(out);
      },
      () => res.destroy(),
    );
  });
  return listen(server);
}

async function startSense(pki: unknown): Promise<{ stop: () => Promise<void>; qrsPort: number }> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { SenseSim } = require('../test/sensesim/index') as typeof import('../test/sensesim/index');
  const sim = await SenseSim.start({ pki: pki as never, strictUser: true });
  // The journal records every call and every start adds an execution result, which task lookups
  // then scan: keep both from growing through a long run (a real QRS indexes its database).
  const fixtureResults = sim.fixtures.executionResults.length;
  const trim = setInterval(() => {
    sim.resetJournal();
    const results = sim.fixtures.executionResults;
    if (results.length > fixtureResults + 100)
      results.splice(fixtureResults, results.length - fixtureResults - 100);
  }, 200);
  return {
    qrsPort: sim.qrsPort,
    stop: async () => {
      clearInterval(trim);
      await sim.close();
    },
  };
}

async function startProduct(
  sense: Record<string, unknown>,
  state: Record<string, unknown> | undefined,
): Promise<{ origin: string; key: string; stop: () => Promise<void> }> {
  // The core shim must be installed before @azure/functions is loaded.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('../test/preload');
  const { startProductHost } =
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('../test/helpers/product-host') as typeof import('../test/helpers/product-host');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-product-'));
  const api = await startProductHost({
    config: { state: { dir, ...state }, sense },
  });
  return { origin: api.url, key: api.key, stop: () => api.close() };
}

/**
 * A CPU profile of the serving time only (`node --cpu-prof` would include start-up, module loading and
 * schema compilation, which swamp a short run).
 */
async function startProfiler(): Promise<{ save(dir: string): Promise<void> }> {
  const session = new Session();
  session.connect();
  const post = (method: string, params: object = {}): Promise<unknown> =>
    new Promise((resolve, reject) => {
      session.post(method, params, (err, result) => (err ? reject(err) : resolve(result)));
    });
  await post('Profiler.enable');
  // 200 µs: fine enough to tell apart the few-microsecond steps of one request.
  await post('Profiler.setSamplingInterval', { interval: 200 });
  await post('Profiler.start');
  return {
    async save(dir) {
      const { profile } = (await post('Profiler.stop')) as { profile: unknown };
      await mkdir(dir, { recursive: true });
      await writeFile(path.join(dir, `serving-${process.pid}.cpuprofile`), JSON.stringify(profile));
      session.disconnect();
    },
  };
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as ChildArgs;
  let stop: () => Promise<void> = () => Promise.resolve();
  let ready: Ready;
  if (args.mode === 'raw') ready = { ready: true, origin: await startRaw() };
  else if (args.mode === 'floor') ready = { ready: true, origin: await startFloor() };
  else if (args.mode === 'sense') {
    const sim = await startSense(args.pki);
    stop = sim.stop;
    ready = { ready: true, origin: `https://127.0.0.1:${sim.qrsPort}`, qrsPort: sim.qrsPort };
  } else {
    const product = await startProduct(args.sense ?? {}, args.state);
    stop = product.stop;
    ready = { ready: true, origin: product.origin, key: product.key };
  }
  const profiler = args.profileDir ? await startProfiler() : undefined;
  process.on('message', (message) => {
    // CPU time used so far (µs): the parent turns it into CPU per request, which load on the machine
    // distorts far less than requests per second.
    if (message === 'cpu') {
      const used = process.cpuUsage();
      process.send?.({ cpu: used.user + used.system });
      return;
    }
    if (message !== 'stop') return;
    (profiler ? profiler.save(args.profileDir ?? '.') : Promise.resolve()).then(stop).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
  process.send?.(ready);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`${String((err as Error)?.stack ?? err)}\n`);
    process.exit(1);
  });
}
