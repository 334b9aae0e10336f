/**
 * Two hosts (real CLI child processes) on one Azurite table state, both subscribed to the simulator's
 * notifications and both running the backstop: every execution alerts exactly once. The callback key
 * comes from each host's generated key directory (the CLI hands its path to the app).
 */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eventually, startHttpSink, type HttpSink } from '../helpers/alert-sinks';
import { startAzurite, type Azurite } from '../helpers/azurite';
import { runCli, stopChild, waitForListening, type CliRun } from '../helpers/cli-process';
import { createTestPki, type TestPki } from '../helpers/pki';
import { senseSettings } from '../helpers/sense-env';
import { FIXTURE, SenseSim } from '../sensesim/index';

let azurite: Azurite | undefined;
let skip: string | undefined;
let pki: TestPki;
let sim: SenseSim;
let sink: HttpSink;
let dir: string;
const hosts: CliRun[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

async function startHost(name: string): Promise<CliRun> {
  const port = await freePort();
  const hostDir = path.join(dir, name);
  await fs.mkdir(hostDir, { recursive: true });
  const config = {
    sense: senseSettings(sim, pki),
    state: {
      backend: 'table',
      dir: path.join(hostDir, 'data'),
      table: { connectionString: azurite?.connectionString, tablePrefix: 'twohosts' },
    },
    alerts: {
      enabled: true,
      callbackBaseUrl: `http://127.0.0.1:${port}`,
      backstopSeconds: 5,
      resubscribeSeconds: 60,
      rateLimitSeconds: 0,
      allowedHosts: ['127.0.0.1'],
      retry: { attempts: 2, baseDelayMs: 20, maxDelayMs: 50, timeoutMs: 5000 },
      channels: { webhook: [{ name: 'ops', url: `${sink.url}/ops` }] },
    },
  };
  const file = path.join(hostDir, 'butler.config.json');
  await fs.writeFile(file, JSON.stringify(config));
  const run = runCli(['start', '--port', String(port), '--config', file], {
    cwd: hostDir,
    env: { BUTLER_CONFIG_FILE: '', BUTLER_KEYS_DIR: '', BUTLER_APP_ROOT: '' },
  });
  hosts.push(run);
  await waitForListening(run);
  return run;
}

before(async () => {
  const started = await startAzurite();
  azurite = started.azurite;
  skip = started.skip;
  if (skip) return;
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'butler-two-hosts-'));
  pki = await createTestPki();
  sim = await SenseSim.start({ pki });
  sink = await startHttpSink();
  await startHost('a');
  await startHost('b');
  await eventually('both hosts subscribed', () => sim.notifications.subscriptions.size === 2, 30_000);
});
after(async () => {
  for (const run of hosts) await stopChild(run.child);
  await sim?.close();
  await sink?.close();
  await azurite?.stop();
  if (pki) await fs.rm(pki.dir, { recursive: true, force: true });
  if (dir) await fs.rm(dir, { recursive: true, force: true });
});

const delivered = (resultId: string) =>
  sink
    .delivered('/ops')
    .filter((r) => (r.json as { executionResultId?: string }).executionResultId === resultId);

async function backstopsRanAfter(since: number): Promise<void> {
  // Each host polls on its own; wait for at least one completed query from each (two after `since`).
  await eventually(
    'backstop runs on both hosts',
    () =>
      sim.qrsCalls.filter((c) => c.path === '/qrs/executionresult/full' && c.at > since && c.status === 200)
        .length >= 2,
    20_000,
  );
  await new Promise((resolve) => setTimeout(resolve, 500));
}

describe('two hosts on one Azurite state', () => {
  it('one alert per execution, whether both hosts are called back or only the backstop sees it', async (t) => {
    if (skip) return t.skip(skip);
    const pushed = await sim.finishTask(FIXTURE.taskReloadSales, { outcome: 'fail' });
    assert.equal(
      sim.notifications.callbacks.filter((c) => c.status === 202).length,
      2,
      'both hosts were called back',
    );
    sim.notifications.knobs.suppress = true;
    const dropped = await sim.finishTask(FIXTURE.taskReloadFinance, { outcome: 'abort' });
    sim.notifications.knobs.suppress = false;
    await eventually(
      'both alerts delivered',
      () => delivered(pushed.id).length >= 1 && delivered(dropped.id).length >= 1,
    );
    await backstopsRanAfter(Date.now());
    assert.equal(delivered(pushed.id).length, 1, 'pushed execution');
    assert.equal(delivered(dropped.id).length, 1, 'execution seen only by the backstops');
  });
});
