/**
 * Scale-out: two hosts (separate processes, as two replicas are) share one Azure Table state in
 * Azurite. A schedule due every 2 s runs for 10 s; every occurrence must start its Sense task exactly
 * once, whichever host claimed it.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { request } from 'undici';
import { CLAIM_PARTITION, CLAIMS_TABLE } from '../../shared/scheduler/store';
import { createTableStateStore } from '../../shared/state/table-store';
import { startAzurite, type Azurite } from '../helpers/azurite';
import { runCli, stopChild, waitForListening, type CliRun } from '../helpers/cli-process';
import { createTestPki, type TestPki } from '../helpers/pki';
import { assertSenseIdentity, senseSettings } from '../helpers/sense-env';
import { SenseSim } from '../sensesim/index';
import { FIXTURE } from '../sensesim/fixtures';

const KEY = 'two-hosts-test-key-0123456789abcdefghijklmnop';
const TABLE_PREFIX = 'twohosts';

let azurite: Azurite | undefined;
let skip: string | undefined;
let pki: TestPki;
let sim: SenseSim;
let dir: string;
const children: ChildProcess[] = [];

before(async () => {
  const started = await startAzurite();
  azurite = started.azurite;
  skip = started.skip;
  pki = await createTestPki();
  sim = await SenseSim.start({ pki, strictUser: true });
  dir = await mkdtemp(path.join(os.tmpdir(), 'butler-two-hosts-'));
});
after(async () => {
  for (const child of children) await stopChild(child);
  await sim?.close();
  await azurite?.stop();
  await rm(pki.dir, { recursive: true, force: true });
  await rm(dir, { recursive: true, force: true });
});

async function startHost(name: string): Promise<{ run: CliRun; url: string }> {
  const home = path.join(dir, name);
  const keys = path.join(home, 'keys');
  await mkdir(keys, { recursive: true });
  await writeFile(path.join(keys, 'host.master'), `${KEY}-master`, { mode: 0o600 });
  await writeFile(path.join(keys, 'host.function.default'), KEY, { mode: 0o600 });
  const config = path.join(home, 'butler.config.json');
  await writeFile(
    config,
    JSON.stringify({
      sense: senseSettings(sim, pki),
      state: {
        backend: 'table',
        dir: path.join(home, 'data'),
        table: { connectionString: azurite!.connectionString, tablePrefix: TABLE_PREFIX },
      },
    }),
  );
  const run = runCli(['start', '--port', '0', '--config', config, '--keys-dir', keys], {
    cwd: home,
    env: { BUTLER_CONFIG_FILE: '', BUTLER_KEYS_DIR: '', BUTLER_APP_ROOT: '' },
  });
  children.push(run.child);
  const [, scheme, host, port] = await waitForListening(run);
  return { run, url: `${scheme}://${host}:${port}` };
}

async function call(url: string, method: string, body?: object): Promise<{ status: number; json: unknown }> {
  const res = await request(url, {
    method,
    headers: { 'x-functions-key': KEY, 'content-type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.body.text();
  return { status: res.statusCode, json: text ? JSON.parse(text) : undefined };
}

test('two hosts on one Azurite state: each occurrence starts its task exactly once', async (t) => {
  if (skip) return t.skip(skip);
  const [a, b] = await Promise.all([startHost('a'), startHost('b')]);

  const created = await call(`${a.url}/v4/schedules`, 'POST', {
    name: 'every 2 s',
    cronSchedule: '*/2 * * * * *',
    timezone: 'Europe/Stockholm',
    qlikSenseTaskId: FIXTURE.taskReloadSales,
    startupState: 'started',
  });
  assert.equal(created.status, 201);
  const id = (created.json as { id: string }).id;
  // Both hosts see the same schedule.
  assert.equal(((await call(`${b.url}/v4/schedules?id=${id}`, 'GET')).json as unknown[]).length, 1);

  // Stop after the fifth start reaches Sense (about 10 s of every-2-s occurrences), however slow the machine.
  const start = `/qrs/task/${FIXTURE.taskReloadSales}/start/synchronous`;
  await sim.qrsCallSeen((c) => c.method === 'POST' && c.path === start, 5);
  assert.equal((await call(`${b.url}/v4/schedules/${id}/stop`, 'PUT')).status, 200);
  // A graceful stop waits for a tick in progress, so every claimed firing has finished.
  for (const { run } of [a, b]) {
    run.child.kill('SIGTERM');
    assert.equal(await run.exited, 0);
  }

  const store = createTableStateStore({
    connectionString: azurite!.connectionString,
    tablePrefix: TABLE_PREFIX,
  });
  const claims = (
    await store.table<{ scheduleId: string; occurrence: string }>(CLAIMS_TABLE).list(CLAIM_PARTITION)
  )
    .map((c) => c.value)
    .filter((c) => c.scheduleId === id)
    .map((c) => Date.parse(c.occurrence))
    .sort((x, y) => x - y);
  await store.close();

  const starts = sim.qrsCalls.filter(
    (c) => c.method === 'POST' && c.path === `/qrs/task/${FIXTURE.taskReloadSales}/start/synchronous`,
  );
  assert.ok(claims.length >= 4, `about five occurrences in 10 s, got ${claims.length}`);
  assert.equal(starts.length, claims.length, 'one task start per claimed occurrence');
  for (let i = 1; i < claims.length; i++) {
    assert.equal(claims[i]! - claims[i - 1]!, 2000, 'no due occurrence was skipped');
  }
  const fired = (out: string) => (out.match(new RegExp(`schedule ${id} fired`, 'g')) ?? []).length;
  assert.equal(
    fired(a.run.stdout()) + fired(b.run.stdout()),
    claims.length,
    'the hosts fired each once between them',
  );
  assertSenseIdentity(sim);
});
