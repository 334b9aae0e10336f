/**
 * The file-operations service on the real file system in temp directories, where the HTTP tests
 * cannot reach: a copy whose source stream fails part-way (injected below the fs boundary), and a
 * move across file systems.
 */
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readdir, readFile, rm, stat, truncate, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { openReadStream } from '../../shared/fileops/copy-file';
import { FileOperations, type FileOpsConfig } from '../../shared/fileops/file-operations';
import { ApiError } from '../../shared/http/errors';

let root: string;
let from: string;
let to: string;

function config(overrides: Partial<FileOpsConfig> = {}): FileOpsConfig {
  return {
    copy: [{ from, to }],
    move: [{ from, to }],
    delete: [],
    createDir: [],
    qvdRoot: null,
    ...overrides,
  };
}

/** Emits some bytes, then fails, like a disk or network share giving up mid-copy. */
function failingAfter(bytes: number): () => Readable {
  return () =>
    new Readable({
      read() {
        if (bytes > 0) {
          this.push(Buffer.alloc(Math.min(bytes, 64 * 1024), 0x41));
          bytes -= 64 * 1024;
          return;
        }
        this.destroy(Object.assign(new Error(`EIO: i/o error, read ${from}`), { code: 'EIO' }));
      },
    });
}

before(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'fileops-service-'));
  from = path.join(root, 'from');
  to = path.join(root, 'to');
  await mkdir(from);
  await mkdir(to);
  await writeFile(path.join(from, 'big.qvd'), Buffer.alloc(512 * 1024, 0x42));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('a copy that fails part-way', () => {
  test('leaves no file (and no temporary file) at a new destination; 500 FS_ERROR without paths', async () => {
    const ops = new FileOperations(config(), { openRead: failingAfter(200 * 1024) });
    const err = await ops
      .copy({
        fromFile: `${from}/big.qvd`,
        toFile: `${to}/new/big.qvd`,
        overwrite: false,
        preserveTimestamp: false,
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    assert.ok(err instanceof ApiError);
    assert.equal(err.code, 'FS_ERROR');
    assert.equal(err.statusCode, 500);
    assert.equal(err.message, 'Failed copying file (EIO)');
    assert.deepEqual(await readdir(path.join(to, 'new')), []);
  });

  test('keeps the old content of an existing destination with overwrite true', async () => {
    await writeFile(path.join(to, 'old.qvd'), 'previous content');
    const ops = new FileOperations(config(), { openRead: failingAfter(300 * 1024) });
    await assert.rejects(
      ops.copy({
        fromFile: `${from}/big.qvd`,
        toFile: `${to}/old.qvd`,
        overwrite: true,
        preserveTimestamp: true,
      }),
      { code: 'FS_ERROR' },
    );
    assert.equal(await readFile(path.join(to, 'old.qvd'), 'utf8'), 'previous content');
    assert.deepEqual(
      (await readdir(to)).filter((name) => name.startsWith('.')),
      [],
    );
  });

  test('the same copy with a working stream replaces the file whole', async () => {
    const ops = new FileOperations(config());
    await ops.copy({
      fromFile: `${from}/big.qvd`,
      toFile: `${to}/old.qvd`,
      overwrite: true,
      preserveTimestamp: false,
    });
    assert.deepEqual(await readFile(path.join(to, 'old.qvd')), await readFile(path.join(from, 'big.qvd')));
  });
});

describe('a large copy', () => {
  test('goes through the source stream in bounded chunks and arrives whole', async () => {
    const size = 24 * 1024 * 1024;
    const source = path.join(from, 'large.qvd');
    await writeFile(source, '');
    await truncate(source, size); // sparse: costs no disk to create
    let largestChunk = 0;
    let total = 0;
    const ops = new FileOperations(config(), {
      openRead: (file) =>
        openReadStream(file).on('data', (chunk: Buffer) => {
          largestChunk = Math.max(largestChunk, chunk.length);
          total += chunk.length;
        }),
    });
    await ops.copy({
      fromFile: source,
      toFile: `${to}/large.qvd`,
      overwrite: true,
      preserveTimestamp: false,
    });
    assert.equal((await stat(path.join(to, 'large.qvd'))).size, size);
    assert.equal(total, size);
    assert.ok(largestChunk <= 1024 * 1024, `largest chunk ${largestChunk} bytes`);
  });
});

describe('move across file systems', () => {
  test('falls back to copy + unlink and keeps the timestamp', async (t) => {
    const shm = '/dev/shm';
    const other = await stat(shm).catch(() => null);
    if (!other?.isDirectory() || other.dev === (await stat(root)).dev) {
      t.skip('no second file system (/dev/shm) to move across');
      return;
    }
    const away = await mkdtemp(path.join(shm, 'fileops-service-'));
    try {
      const source = path.join(from, 'cross.qvd');
      await writeFile(source, 'crossing');
      await utimes(source, new Date('2001-02-03T04:05:06Z'), new Date('2001-02-03T04:05:06Z'));
      const ops = new FileOperations(config({ move: [{ from, to: away }] }));
      await ops.move({ fromFile: source, toFile: `${away}/cross.qvd`, overwrite: false });
      assert.equal(await readFile(path.join(away, 'cross.qvd'), 'utf8'), 'crossing');
      assert.equal(
        (await stat(path.join(away, 'cross.qvd'))).mtime.toISOString(),
        '2001-02-03T04:05:06.000Z',
      );
      await assert.rejects(stat(source), { code: 'ENOENT' });
    } finally {
      await rm(away, { recursive: true, force: true });
    }
  });
});
