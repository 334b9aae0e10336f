/** The file backend claims its directory: a second live owner is refused, a left-behind lock is taken over. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { LOCK_FILE, setAside, StateLockedError } from '../../shared/state/dir-lock';
import { createFileStateStore } from '../../shared/state/file-store';
import { tempDirs } from '../helpers/temp-dirs';

const tempDir = tempDirs('butler-lock-');

const lockOf = (dir: string) => path.join(dir, 'state', LOCK_FILE);

/** Writes a lock as another owner would have left it. */
async function writeLock(dir: string, owner: { host: string; pid: number; token: string }): Promise<void> {
  await mkdir(path.join(dir, 'state'), { recursive: true });
  await writeFile(lockOf(dir), JSON.stringify({ ...owner, since: new Date().toISOString() }));
}

test('a second store on a directory in use is refused, naming the lock and its owner; free again after close', async () => {
  const dir = await tempDir();
  const first = createFileStateStore({ dir });
  await first.table<{ n: number }>('kv').put('p', 'r', { n: 1 });
  assert.throws(
    () => createFileStateStore({ dir }),
    (err: unknown) =>
      err instanceof StateLockedError &&
      err.message.includes(lockOf(dir)) &&
      err.message.includes(`process ${process.pid}`),
  );
  await first.close();
  await assert.rejects(stat(lockOf(dir)), /ENOENT/);
  const second = createFileStateStore({ dir });
  assert.deepEqual((await second.table<{ n: number }>('kv').get('p', 'r'))?.value, { n: 1 });
  await second.close();
});

test('another live process holds the directory until it is killed; its lock is then taken over', async () => {
  const dir = await tempDir();
  const storeModule = path.join(__dirname, '..', '..', 'shared', 'state', 'file-store.js');
  const child = spawn(
    process.execPath,
    [
      '-e',
      `require(${JSON.stringify(storeModule)}).createFileStateStore({ dir: ${JSON.stringify(dir)} });` +
        "process.stdout.write('ready\\n'); setInterval(() => {}, 1000);",
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  try {
    await once(child.stdout, 'data');
    assert.throws(
      () => createFileStateStore({ dir }),
      (err: unknown) => err instanceof StateLockedError && err.message.includes(`process ${child.pid}`),
    );
  } finally {
    child.kill('SIGKILL');
    await once(child, 'exit');
  }
  // kill -9 left the lock behind; its process is gone, so the next open takes it over at once.
  const owner = JSON.parse(await readFile(lockOf(dir), 'utf8')) as { pid: number };
  assert.equal(owner.pid, child.pid);
  const store = createFileStateStore({ dir });
  assert.equal((JSON.parse(await readFile(lockOf(dir), 'utf8')) as { pid: number }).pid, process.pid);
  await store.close();
});

test('a lock from another host name is refused while it is fresh and taken over once stale', async () => {
  const dir = await tempDir();
  await writeLock(dir, { host: `not-${os.hostname()}`, pid: 4242, token: 'elsewhere' });
  assert.throws(
    () => createFileStateStore({ dir }),
    (err: unknown) => err instanceof StateLockedError && err.message.includes(`on not-${os.hostname()}`),
  );
  const old = new Date(Date.now() - 120_000);
  await utimes(lockOf(dir), old, old);
  const store = createFileStateStore({ dir });
  await store.close();
});

test('a lock this process left with a token no open store holds, or an unreadable one, is taken over', async () => {
  const dir = await tempDir();
  await writeLock(dir, { host: os.hostname(), pid: process.pid, token: 'never-closed' });
  const first = createFileStateStore({ dir });
  await first.close();
  await mkdir(path.join(dir, 'state'), { recursive: true });
  await writeFile(lockOf(dir), '{"host":');
  const second = createFileStateStore({ dir });
  await second.close();
});

test('close leaves a lock that another owner has taken in the meantime', async () => {
  const dir = await tempDir();
  const store = createFileStateStore({ dir });
  await writeLock(dir, { host: `not-${os.hostname()}`, pid: 4242, token: 'newer-owner' });
  await store.close();
  assert.match(await readFile(lockOf(dir), 'utf8'), /newer-owner/);
});

test('the owner keeps touching its lock, so a live owner never looks stale', async () => {
  const dir = await tempDir();
  const store = createFileStateStore({ dir, lock: { heartbeatMs: 20 } });
  const old = new Date(Date.now() - 120_000);
  await utimes(lockOf(dir), old, old);
  const deadline = Date.now() + 5000;
  while ((await stat(lockOf(dir))).mtimeMs < Date.now() - 60_000 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.ok((await stat(lockOf(dir))).mtimeMs > Date.now() - 60_000, 'the heartbeat refreshed the lock');
  await store.close();
});

test('taking over moves the judged lock aside, and puts back a lock another process claimed meanwhile', async () => {
  const dir = await tempDir();
  await writeLock(dir, { host: os.hostname(), pid: 4242, token: 'claimed-meanwhile' });
  // Judged left behind under another token: what is there now belongs to someone else.
  assert.throws(() => setAside(lockOf(dir), 'left-behind', 'me'), StateLockedError);
  assert.match(await readFile(lockOf(dir), 'utf8'), /claimed-meanwhile/);
  // The lock that was judged: moved away and gone, nothing left beside it.
  setAside(lockOf(dir), 'claimed-meanwhile', 'me');
  await assert.rejects(stat(lockOf(dir)), /ENOENT/);
  assert.deepEqual(await readdir(path.join(dir, 'state')), []);
});
