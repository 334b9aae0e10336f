/**
 * The product started as a user starts it (`node dist/runtime/cli.js start`, what `npm start` runs),
 * in an empty working directory: generated keys in ./data/keys, keys enforced, config errors fatal
 * before listening, secrets from ${env:} never printed.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, afterEach, before, test } from 'node:test';
import { request } from 'undici';
import { LISTENING, runCli, stopChild, waitForListening, type CliRun } from '../helpers/cli-process';

const SECRET = 'nr-insert-key-7f3c9a1be0d24c55';
let cwd: string;
const children: ChildProcess[] = [];

before(async () => {
  cwd = await fs.mkdtemp(path.join(os.tmpdir(), 'butler-product-'));
});
afterEach(async () => {
  for (const child of children.splice(0)) await stopChild(child);
});
after(async () => {
  await fs.rm(cwd, { recursive: true, force: true });
});

function start(args: string[], env: NodeJS.ProcessEnv = {}): CliRun {
  const run = runCli(['start', '--port', '0', ...args], {
    cwd,
    env: { BUTLER_CONFIG_FILE: '', BUTLER_KEYS_DIR: '', BUTLER_APP_ROOT: '', ...env },
  });
  children.push(run.child);
  return run;
}

async function get(url: string, key?: string): Promise<{ status: number; body: string }> {
  const res = await request(url, { headers: key ? { 'x-functions-key': key } : {} });
  return { status: res.statusCode, body: await res.body.text() };
}

test('first start generates keys in ./data/keys; butlerping needs the key', async () => {
  const run = start([]);
  const [, scheme, host, port] = await waitForListening(run);
  assert.equal(scheme, 'http');
  assert.equal(host, '127.0.0.1');
  const keysDir = path.join(cwd, 'data', 'keys');
  const key = (await fs.readFile(path.join(keysDir, 'host.function.default'), 'utf8')).trim();
  assert.ok(key.length >= 43);
  const mode = (await fs.stat(path.join(keysDir, 'host.function.default'))).mode & 0o777;
  assert.equal(mode, 0o600);
  const base = `http://${host}:${port}`;
  const ok = await get(`${base}/v4/butlerping`, key);
  assert.equal(ok.status, 200);
  assert.equal((JSON.parse(ok.body) as { response: string }).response, 'Butler reporting for duty');
  assert.equal((await get(`${base}/v4/butlerping`)).status, 401);
  assert.equal((await get(`${base}/admin/host/ping`)).status, 200);
  // Sense is not configured: its features answer 503, naming the setting.
  const apps = await get(`${base}/v4/apps/list`, key);
  assert.equal(apps.status, 503);
  assert.match(apps.body, /sense\.host/);
  // Butler's 1 MiB body limit applies without any local.settings.json.
  const big = await request(`${base}/v4/reloadtask/-/start`, {
    method: 'PUT',
    headers: { 'x-functions-key': key, 'content-type': 'application/json' },
    body: JSON.stringify([
      { type: 'keyvaluestore', payload: { namespace: 'n', key: 'k', value: 'x'.repeat(1_100_000) } },
    ]),
  });
  await big.body.dump();
  assert.equal(big.statusCode, 413);
  assert.equal(run.stdout().includes(key) || run.stderr().includes(key), false, 'no key in the log');
  run.child.kill('SIGTERM');
  assert.equal(await run.exited, 0);
});

test('a bad setting exits 1 before listening, naming its JSON pointer', async () => {
  const file = path.join(cwd, 'bad.yaml');
  await fs.writeFile(file, 'sense:\n  qrsPort: not-a-port\n');
  const run = start(['--config', file]);
  assert.equal(await run.exited, 1);
  assert.match(run.stderr(), /\/sense\/qrsPort/);
  assert.doesNotMatch(run.stdout(), LISTENING);
});

test('an unknown setting exits 1 naming it', async () => {
  const file = path.join(cwd, 'unknown.yaml');
  await fs.writeFile(file, 'sense:\n  hots: qlik.example.com\n');
  const run = start(['--config', file]);
  assert.equal(await run.exited, 1);
  assert.match(run.stderr(), /\/sense\/hots/);
});

test('a secret from ${env:} is never printed, neither on a config error nor at start', async () => {
  const bad = path.join(cwd, 'secret-bad.yaml');
  await fs.writeFile(
    bad,
    [
      'newRelic:',
      '  accounts:',
      '    - name: main',
      '      insertApiKey: ${env:NR_INSERT_KEY}',
      '      accountId: 123',
      'mqtt:',
      '  enabled: true',
      '  password: ${env:NR_INSERT_KEY}',
      '',
    ].join('\n'),
  );
  const failing = start(['--config', bad], { NR_INSERT_KEY: SECRET });
  assert.equal(await failing.exited, 1);
  assert.match(failing.stderr(), /\/mqtt/);
  assert.equal(failing.stderr().includes(SECRET) || failing.stdout().includes(SECRET), false);

  const good = path.join(cwd, 'secret-good.yaml');
  await fs.writeFile(
    good,
    [
      'newRelic:',
      '  accounts:',
      '    - name: main',
      '      insertApiKey: ${env:NR_INSERT_KEY}',
      "      accountId: '123'",
      '',
    ].join('\n'),
  );
  const run = start(['--config', good], { NR_INSERT_KEY: SECRET });
  await waitForListening(run);
  run.child.kill('SIGTERM');
  assert.equal(await run.exited, 0);
  assert.equal(run.stderr().includes(SECRET) || run.stdout().includes(SECRET), false);
});

test('api.auth: anonymous serves the API without keys and warns at start', async () => {
  const file = path.join(cwd, 'anonymous.yaml');
  await fs.writeFile(file, 'api:\n  auth: anonymous\n');
  const run = start(['--config', file]);
  const [, , host, port] = await waitForListening(run);
  const res = await get(`http://${host}:${port}/v4/butlerping`);
  assert.equal(res.status, 200);
  assert.match(run.stderr(), /WARNING: api\.auth is anonymous/);
  run.child.kill('SIGTERM');
  assert.equal(await run.exited, 0);
});
