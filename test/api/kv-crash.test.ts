/**
 * The file state backend under a real crash: the product CLI (a child process) takes a burst of
 * key-value writes and is killed with SIGKILL mid-burst. After a restart on the same directory every
 * write it acknowledged is readable and every state file parses. Also: a corrupt state file stops
 * the start, naming the file.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, afterEach, before, test } from 'node:test';
import { Agent, request } from 'undici';
import { runCli, stopChild, waitForListening, type CliRun } from '../helpers/cli-process';

let cwd: string;
const children: ChildProcess[] = [];
const agent = new Agent({ connections: 32 });

before(async () => {
  cwd = await fs.mkdtemp(path.join(os.tmpdir(), 'butler-kv-crash-'));
  await fs.writeFile(path.join(cwd, 'butler.config.json'), JSON.stringify({ state: { dir: './data' } }));
});
afterEach(async () => {
  for (const child of children.splice(0)) await stopChild(child);
});
after(async () => {
  await agent.close();
  await fs.rm(cwd, { recursive: true, force: true });
});

async function startHost(): Promise<{ run: CliRun; base: string; key: string }> {
  const run = runCli(['start', '--port', '0'], {
    cwd,
    env: { BUTLER_CONFIG_FILE: '', BUTLER_KEYS_DIR: '', BUTLER_APP_ROOT: '' },
  });
  children.push(run.child);
  const [, , host, port] = await waitForListening(run);
  const key = (await fs.readFile(path.join(cwd, 'data', 'keys', 'host.function.default'), 'utf8')).trim();
  return { run, base: `http://${host}:${port}`, key };
}

async function call(base: string, key: string, pathAndQuery: string, body?: object) {
  const res = await request(`${base}${pathAndQuery}`, {
    method: body ? 'POST' : 'GET',
    headers: { 'x-functions-key': key, 'content-type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
    dispatcher: agent,
  });
  const text = await res.body.text();
  return { status: res.statusCode, json: text ? (JSON.parse(text) as unknown) : undefined };
}

async function allFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await allFiles(full)));
    else out.push(full);
  }
  return out;
}

test('kill -9 during a burst of writes: every acknowledged write survives, no file is unreadable', async () => {
  const first = await startHost();
  const acked: { ns: string; key: string; value: string }[] = [];
  let stop = false;
  let next = 0;
  const TOTAL = 2000;
  const KILL_AFTER = 150;
  let killTime!: () => void;
  // Kill once a good share of writes is acknowledged, with more still in flight (or when all are sent).
  const timeToKill = new Promise<void>((resolve) => (killTime = resolve));
  const writer = async () => {
    while (!stop && next < TOTAL) {
      const i = next++;
      const item = { ns: `burst ${i % 7}`, key: `k#${i}`, value: `value ${i} ${'x'.repeat(i % 300)}` };
      try {
        const res = await call(first.base, first.key, `/v4/keyvalues/${encodeURIComponent(item.ns)}`, {
          key: item.key,
          value: item.value,
        });
        if (res.status === 201) acked.push(item);
        if (acked.length >= KILL_AFTER || next >= TOTAL) killTime();
      } catch {
        return; // the host is gone
      }
    }
  };
  const writers = Array.from({ length: 16 }, writer);
  void Promise.all(writers).then(killTime); // every writer gave up: the assertion below says so
  await timeToKill;
  first.run.child.kill('SIGKILL');
  await once(first.run.child, 'exit');
  stop = true;
  await Promise.all(writers);
  assert.ok(acked.length >= KILL_AFTER, `only ${acked.length} writes acknowledged before the kill`);

  for (const file of await allFiles(path.join(cwd, 'data', 'state'))) {
    if (file.endsWith('.tmp')) continue; // an uncommitted write; discarded at the next start
    const text = await fs.readFile(file, 'utf8');
    assert.doesNotThrow(() => JSON.parse(text), `${file} parses`);
  }

  const second = await startHost();
  for (const item of acked) {
    const res = await call(
      second.base,
      second.key,
      `/v4/keyvalues/${encodeURIComponent(item.ns)}?key=${encodeURIComponent(item.key)}`,
    );
    assert.equal(res.status, 200, `${item.ns}/${item.key} after restart`);
    assert.equal((res.json as { value: string }).value, item.value);
  }
  // The key count agrees with the keys present (no half-applied write).
  for (let n = 0; n < 7; n++) {
    const list = await call(second.base, second.key, `/v4/keylist/${encodeURIComponent(`burst ${n}`)}`);
    if (list.status === 404) continue;
    const keys = (list.json as { keys: { key: string }[] }).keys.map((k) => k.key);
    assert.equal(new Set(keys).size, keys.length);
  }
  second.run.child.kill('SIGTERM');
  assert.equal(await second.run.exited, 0);
});

test('a corrupt state file stops the start with a message naming it; the file is untouched', async () => {
  const dir = path.join(cwd, 'data', 'state', 'kv');
  await fs.mkdir(dir, { recursive: true });
  const file = path.join(dir, `${'0'.repeat(32)}.json`);
  await fs.writeFile(file, '{"format":"butler-state/1","rows":[');
  const run = runCli(['start', '--port', '0'], {
    cwd,
    env: { BUTLER_CONFIG_FILE: '', BUTLER_KEYS_DIR: '', BUTLER_APP_ROOT: '' },
  });
  children.push(run.child);
  assert.equal(await run.exited, 1);
  assert.ok(run.stderr().includes(file) || run.stdout().includes(file), run.stderr());
  assert.doesNotMatch(run.stdout(), /listening on/);
  assert.equal(await fs.readFile(file, 'utf8'), '{"format":"butler-state/1","rows":[');
  await fs.rm(file);
});
