/** The state store contract on the `file` backend, plus what only a file backend can get wrong. */
import assert from 'node:assert/strict';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { createFileStateStore, StateCorruptError } from '../../shared/state/file-store';
import { StateUnavailableError } from '../../shared/state/store';
import { storeConformance } from './store-conformance';
import { tempDirs } from '../helpers/temp-dirs';

const tempDir = tempDirs('butler-state-');

storeConformance('file', () => ({ open: async () => createFileStateStore({ dir: await tempDir() }) }));

test('data survives a reopen; reads after reopen see every acknowledged write', async () => {
  const dir = await tempDir();
  const first = createFileStateStore({ dir });
  const table = first.table<{ n: number }>('kv');
  await Promise.all(Array.from({ length: 50 }, (_, i) => table.put(`p${i % 5}`, `r${i}`, { n: i })));
  await table.put('p0', 'r0', { n: 100 });
  await table.delete('p1', 'r1');
  await first.close();
  const second = createFileStateStore({ dir });
  const again = second.table<{ n: number }>('kv');
  assert.equal((await again.list()).length, 49);
  assert.deepEqual((await again.get('p0', 'r0'))?.value, { n: 100 });
  assert.equal(await again.get('p1', 'r1'), undefined);
  await second.close();
});

test('an emptied partition leaves no file behind', async () => {
  const dir = await tempDir();
  const store = createFileStateStore({ dir });
  const table = store.table<{ n: number }>('kv');
  await table.put('gone', 'r', { n: 1 });
  assert.equal((await readdir(path.join(dir, 'state', 'kv'))).length, 1);
  await table.delete('gone', 'r');
  assert.deepEqual(await readdir(path.join(dir, 'state', 'kv')), []);
  await store.close();
});

test('a corrupt file stops the open, names the file, and is left untouched', async () => {
  const dir = await tempDir();
  const store = createFileStateStore({ dir });
  await store.table<{ n: number }>('kv').put('p', 'r', { n: 1 });
  await store.close();
  const tableDir = path.join(dir, 'state', 'kv');
  const [name] = await readdir(tableDir);
  const file = path.join(tableDir, name!);
  const garbage = '{"format":"butler-state/1","table":"kv","partition":"p","rows":[{"row":"r",';
  await writeFile(file, garbage);
  assert.throws(
    () => createFileStateStore({ dir }),
    (err: unknown) => err instanceof StateCorruptError && err.message.includes(file),
  );
  assert.equal(await readFile(file, 'utf8'), garbage);
  // A file of the right shape for another partition (copied or renamed by hand) is refused too.
  await writeFile(
    file,
    JSON.stringify({ format: 'butler-state/1', table: 'kv', partition: 'other', rows: [] }),
  );
  assert.throws(() => createFileStateStore({ dir }), StateCorruptError);
});

test('a temporary file left by an interrupted write is discarded; the committed file wins', async () => {
  const dir = await tempDir();
  const store = createFileStateStore({ dir });
  await store.table<{ n: number }>('kv').put('p', 'r', { n: 1 });
  await store.close();
  const tableDir = path.join(dir, 'state', 'kv');
  const [name] = await readdir(tableDir);
  await writeFile(path.join(tableDir, `${name!}.123.abc.tmp`), '{"torn":');
  const reopened = createFileStateStore({ dir });
  assert.deepEqual((await reopened.table<{ n: number }>('kv').get('p', 'r'))?.value, { n: 1 });
  assert.deepEqual(await readdir(tableDir), [name]);
  await reopened.close();
});

test('a write the disk refuses is undone in memory and reported as StateUnavailableError', async () => {
  const dir = await tempDir();
  const store = createFileStateStore({ dir });
  const table = store.table<{ n: number }>('kv');
  await table.put('p', 'r', { n: 1 });
  // Replace the table's directory by a plain file: every later write fails (ENOTDIR).
  const tableDir = path.join(dir, 'state', 'kv');
  await rm(tableDir, { recursive: true });
  await writeFile(tableDir, 'not a directory');
  await assert.rejects(table.put('p', 'r', { n: 2 }), StateUnavailableError);
  await assert.rejects(table.insert('p', 'other', { n: 3 }), StateUnavailableError);
  assert.deepEqual((await table.get('p', 'r'))?.value, { n: 1 });
  assert.equal(await table.get('p', 'other'), undefined);
  await store.close();
});
