/**
 * File operations (#5–#9) on the embedded host, in temp directories: each operation inside approved
 * directories, called as Qlik's subs call them (POST + X-HTTP-Method-Override, booleans as strings,
 * `#` as `%23`); every escape refused with 403 and nothing outside touched; overwrite and timestamp
 * rules; bad input answered with a 4xx naming the field.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startProductHost, type ProductHost } from '../helpers/product-host';

let api: ProductHost;
let root: string;
/** Directories: copy/move from `src` to `dst`, delete in `del`, create under `mk`, QVD root `qvd`. */
const dir = { src: '', dst: '', del: '', mk: '', qvd: '', outside: '' };

const OLD = new Date('2001-02-03T04:05:06Z');

type Reply = Awaited<ReturnType<ProductHost['call']>>;

/** As Butler's subs send it: POST with the real verb in X-HTTP-Method-Override. */
function call(route: string, verb: 'PUT' | 'DELETE' | 'POST', body?: unknown): Promise<Reply> {
  const headers: Record<string, string> = verb === 'POST' ? {} : { 'x-http-method-override': verb };
  return api.call(route, { method: 'POST', headers, body: body as object });
}

function codeOf(res: Reply): string | undefined {
  return (res.json as { code?: string } | undefined)?.code;
}

function messageOf(res: Reply): string {
  return (res.json as { message?: string } | undefined)?.message ?? '';
}

function assertError(res: Reply, status: number, code: string, message?: RegExp): void {
  assert.equal(res.status, status, res.text);
  assert.match(String(res.headers['content-type']), /^application\/json/);
  assert.equal(codeOf(res), code, res.text);
  if (message) assert.match(messageOf(res), message);
}

/** Everything below `outside`, with contents, so a test can show nothing there changed. */
async function snapshot(base: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(base, { withFileTypes: true, recursive: true })) {
    const full = path.join(entry.parentPath, entry.name);
    const rel = path.relative(base, full);
    out.push(entry.isFile() ? `${rel}=${await readFile(full, 'utf8')}` : `${rel}/`);
  }
  return out.sort();
}

before(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'fileops-api-'));
  for (const name of Object.keys(dir) as (keyof typeof dir)[]) {
    dir[name] = path.join(root, name);
    await mkdir(dir[name]);
  }
  await writeFile(path.join(dir.outside, 'secret.txt'), 'secret');
  await mkdir(path.join(dir.outside, 'sub'));
  // Links inside approved directories that lead outside them.
  await symlink(dir.outside, path.join(dir.src, 'out-dir'));
  await symlink(path.join(dir.outside, 'secret.txt'), path.join(dir.src, 'out-file.txt'));
  await symlink(dir.outside, path.join(dir.dst, 'out-dir'));
  await symlink(path.join(dir.outside, 'secret.txt'), path.join(dir.del, 'out-file.txt'));
  await symlink(dir.outside, path.join(dir.mk, 'out-dir'));
  await symlink(dir.outside, path.join(dir.qvd, 'out-dir'));
  api = await startProductHost({
    config: {
      fileOps: {
        copy: [{ from: dir.src, to: dir.dst }],
        move: [{ from: dir.src, to: dir.dst }],
        delete: [dir.del],
        createDir: [dir.mk],
        qvdRoot: dir.qvd,
      },
    },
  });
});
after(async () => {
  await api?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

describe('filecopy', () => {
  test('copies inside an approved pair (POST + override PUT, booleans as strings), creating directories', async () => {
    await writeFile(path.join(dir.src, 'a.qvd'), 'alpha');
    const res = await call('/v4/filecopy', 'PUT', {
      fromFile: `${dir.src}/a.qvd`,
      toFile: `${dir.dst}/2024/01/a.qvd`,
      overwrite: 'false',
      preserveTimestamp: 'false',
    });
    assert.equal(res.status, 201, res.text);
    assert.deepEqual(res.json, {
      fromFile: `${dir.src}/a.qvd`,
      toFile: `${dir.dst}/2024/01/a.qvd`,
      overwrite: false,
      preserveTimestamp: false,
    });
    assert.equal(await readFile(path.join(dir.dst, '2024/01/a.qvd'), 'utf8'), 'alpha');
    assert.equal(await readFile(path.join(dir.src, 'a.qvd'), 'utf8'), 'alpha', 'the source stays');
  });

  test('a real PUT works too; paths come back normalised; %23 is #', async () => {
    await writeFile(path.join(dir.src, 'q#1.qvd'), 'hash');
    const res = await api.call('/v4/filecopy', {
      method: 'PUT',
      body: { fromFile: `${dir.src}/./x/../q%231.qvd`, toFile: `${dir.dst}\\q%231.qvd` },
    });
    assert.equal(res.status, 201, res.text);
    assert.deepEqual(res.json, {
      fromFile: `${dir.src}/q#1.qvd`,
      toFile: `${dir.dst}/q#1.qvd`,
      overwrite: false,
      preserveTimestamp: false,
    });
    assert.equal(await readFile(path.join(dir.dst, 'q#1.qvd'), 'utf8'), 'hash');
  });

  test('overwrite false leaves an existing destination alone (201); overwrite "true" replaces it', async () => {
    await writeFile(path.join(dir.src, 'b.qvd'), 'new');
    await writeFile(path.join(dir.dst, 'b.qvd'), 'old');
    const body = { fromFile: `${dir.src}/b.qvd`, toFile: `${dir.dst}/b.qvd` };
    const skipped = await call('/v4/filecopy', 'PUT', { ...body, overwrite: 'false' });
    assert.equal(skipped.status, 201);
    assert.equal(await readFile(path.join(dir.dst, 'b.qvd'), 'utf8'), 'old');
    const replaced = await call('/v4/filecopy', 'PUT', { ...body, overwrite: 'true' });
    assert.equal(replaced.status, 201);
    assert.equal((replaced.json as { overwrite: boolean }).overwrite, true);
    assert.equal(await readFile(path.join(dir.dst, 'b.qvd'), 'utf8'), 'new');
    assert.deepEqual(
      (await readdir(dir.dst)).filter((n) => n.startsWith('.')),
      [],
      'no temporary files left',
    );
  });

  test('preserveTimestamp "true" keeps the source modification time; false gives a fresh one', async () => {
    await writeFile(path.join(dir.src, 'ts.qvd'), 'time');
    await utimes(path.join(dir.src, 'ts.qvd'), OLD, OLD);
    const kept = await call('/v4/filecopy', 'PUT', {
      fromFile: `${dir.src}/ts.qvd`,
      toFile: `${dir.dst}/ts-kept.qvd`,
      preserveTimestamp: 'true',
    });
    assert.equal(kept.status, 201);
    assert.equal((kept.json as { preserveTimestamp: boolean }).preserveTimestamp, true);
    assert.equal((await stat(path.join(dir.dst, 'ts-kept.qvd'))).mtime.toISOString(), OLD.toISOString());
    const fresh = await call('/v4/filecopy', 'PUT', {
      fromFile: `${dir.src}/ts.qvd`,
      toFile: `${dir.dst}/ts-fresh.qvd`,
      preserveTimestamp: false,
    });
    assert.equal(fresh.status, 201);
    assert.ok((await stat(path.join(dir.dst, 'ts-fresh.qvd'))).mtime > OLD);
  });

  test('a missing source inside the pair is 404; a directory source is 400', async () => {
    assertError(
      await call('/v4/filecopy', 'PUT', { fromFile: `${dir.src}/none.qvd`, toFile: `${dir.dst}/none.qvd` }),
      404,
      'FILE_NOT_FOUND',
      /fromFile/,
    );
    await mkdir(path.join(dir.src, 'folder'), { recursive: true });
    assertError(
      await call('/v4/filecopy', 'PUT', { fromFile: `${dir.src}/folder`, toFile: `${dir.dst}/folder` }),
      400,
      'FILE_IS_DIRECTORY',
      /fromFile/,
    );
    assert.equal(existsSync(path.join(dir.dst, 'folder')), false);
  });

  test('a directory as destination is 400 naming toFile', async () => {
    await writeFile(path.join(dir.src, 'c.qvd'), 'c');
    await mkdir(path.join(dir.dst, 'adir'), { recursive: true });
    assertError(
      await call('/v4/filecopy', 'PUT', {
        fromFile: `${dir.src}/c.qvd`,
        toFile: `${dir.dst}/adir`,
        overwrite: true,
      }),
      400,
      'FILE_IS_DIRECTORY',
      /toFile/,
    );
  });

  test('a FIFO source is refused before anything is written', async (t) => {
    const fifo = path.join(dir.src, 'pipe.qvd');
    try {
      execFileSync('mkfifo', [fifo]);
    } catch {
      t.skip('mkfifo is not available');
      return;
    }
    assertError(
      await call('/v4/filecopy', 'PUT', { fromFile: fifo, toFile: `${dir.dst}/pipe.qvd` }),
      400,
      'VALIDATION',
      /body\/fromFile is not a regular file/,
    );
    assert.deepEqual(
      (await readdir(dir.dst)).filter((n) => n.startsWith('.') || n === 'pipe.qvd'),
      [],
    );
  });
});

describe('escapes are refused with 403 and nothing outside is touched', () => {
  const before = { outside: [] as string[] };

  test('copy: .., elsewhere, symlinks out (source and destination), encoded dots, mixed separators', async () => {
    before.outside = await snapshot(dir.outside);
    await writeFile(path.join(dir.src, 'ok.qvd'), 'ok');
    const cases: [string, string][] = [
      [`${dir.src}/../outside/secret.txt`, `${dir.dst}/stolen1.txt`],
      [`${dir.outside}/secret.txt`, `${dir.dst}/stolen2.txt`],
      [`${dir.src}/out-dir/secret.txt`, `${dir.dst}/stolen3.txt`],
      [`${dir.src}/out-file.txt`, `${dir.dst}/stolen4.txt`],
      [`${dir.src}\\..\\outside/secret.txt`, `${dir.dst}/stolen5.txt`],
      [`${dir.src}/ok.qvd`, `${dir.dst}/../outside/planted1.txt`],
      [`${dir.src}/ok.qvd`, `${dir.outside}/planted2.txt`],
      [`${dir.src}/ok.qvd`, `${dir.dst}/out-dir/planted3.txt`],
      [`${dir.src}/ok.qvd`, `${dir.dst}/out-dir/sub/new/planted4.txt`],
      [`${dir.src}/ok.qvd`, `${dir.dst}\\..\\outside\\planted5.txt`],
      // A pair is directional: dst → src is not approved.
      [`${dir.dst}/b.qvd`, `${dir.src}/back.qvd`],
    ];
    for (const [fromFile, toFile] of cases) {
      const res = await call('/v4/filecopy', 'PUT', { fromFile, toFile, overwrite: 'true' });
      assertError(res, 403, 'FILE_NOT_APPROVED');
      assert.equal(messageOf(res), 'No approved fromDir/toDir for file copy');
      assert.equal(res.text.includes(dir.outside), false, 'no path from outside in the answer');
    }
    assert.deepEqual(await snapshot(dir.outside), before.outside);
    assert.deepEqual(
      (await readdir(dir.dst)).filter((n) => n.startsWith('stolen')),
      [],
      'nothing read from outside',
    );
  });

  test('a missing file outside is 403 too (no probing outside approved directories)', async () => {
    const res = await call('/v4/filecopy', 'PUT', {
      fromFile: `${dir.outside}/does-not-exist.txt`,
      toFile: `${dir.dst}/x.txt`,
    });
    assertError(res, 403, 'FILE_NOT_APPROVED');
  });

  test('percent-encoded dot segments are refused with 403 and reach nothing outside', async () => {
    const res = await call('/v4/filecopy', 'PUT', {
      fromFile: `${dir.src}/%2e%2e/outside/secret.txt`,
      toFile: `${dir.dst}/stolen6.txt`,
    });
    assertError(res, 403, 'FILE_NOT_APPROVED');
    const planted = await call('/v4/filecopy', 'PUT', {
      fromFile: `${dir.src}/ok.qvd`,
      toFile: `${dir.dst}/%2E%2E/%2e%2e/outside/planted6.txt`,
    });
    assertError(planted, 403, 'FILE_NOT_APPROVED');
    const dirRes = await call('/v4/createdir', 'POST', { directory: `${dir.mk}/.%2e/.%2e/planted6` });
    assertError(dirRes, 403, 'DIR_NOT_APPROVED');
    assert.deepEqual(await snapshot(dir.outside), before.outside);
  });

  test('move, delete, createdir and createdirqvd refuse the same escapes', async () => {
    await writeFile(path.join(dir.src, 'm.qvd'), 'm');
    for (const [fromFile, toFile] of [
      [`${dir.src}/../outside/secret.txt`, `${dir.dst}/m1.txt`],
      [`${dir.src}/out-dir/secret.txt`, `${dir.dst}/m2.txt`],
      [`${dir.src}/out-file.txt`, `${dir.dst}/m3.txt`],
      [`${dir.src}/m.qvd`, `${dir.dst}/out-dir/m4.txt`],
      [`${dir.src}/m.qvd`, `${dir.dst}/..\\outside/m5.txt`],
    ] as const) {
      const res = await call('/v4/filemove', 'PUT', { fromFile, toFile, overwrite: 'true' });
      assertError(res, 403, 'FILE_NOT_APPROVED', /file move/);
    }
    assert.equal(await readFile(path.join(dir.src, 'm.qvd'), 'utf8'), 'm', 'the source did not move');
    assert.equal(existsSync(path.join(dir.src, 'out-file.txt')), true, 'the link was not moved either');

    for (const deleteFile of [
      `${dir.del}/../outside/secret.txt`,
      `${dir.outside}/secret.txt`,
      `${dir.del}/out-file.txt`,
      `${dir.del}\\..\\outside\\secret.txt`,
    ]) {
      assertError(await call('/v4/filedelete', 'DELETE', { deleteFile }), 403, 'FILE_NOT_APPROVED');
    }

    for (const directory of [
      `${dir.mk}/../outside/made1`,
      `${dir.outside}/made2`,
      `${dir.mk}/out-dir/made3`,
      `${dir.mk}\\..\\outside\\made4`,
      `${root}`,
    ]) {
      assertError(await call('/v4/createdir', 'POST', { directory }), 403, 'DIR_NOT_APPROVED');
    }
    for (const directory of ['../outside/made5', 'out-dir/made6', '..\\outside\\made7', '..']) {
      assertError(
        await call('/v4/createdirqvd', 'POST', { directory }),
        403,
        'DIR_NOT_APPROVED',
        /^Directory must be within the QVD folder$/,
      );
    }
    assert.deepEqual(await snapshot(dir.outside), before.outside);
    assert.equal(existsSync(path.join(root, 'made2')), false);
  });
});

describe('filemove', () => {
  test('moves inside an approved pair (POST + override PUT)', async () => {
    await writeFile(path.join(dir.src, 'mv.qvd'), 'moving');
    const res = await call('/v4/filemove', 'PUT', {
      fromFile: `${dir.src}/mv.qvd`,
      toFile: `${dir.dst}/moved/mv.qvd`,
      overwrite: 'false',
    });
    assert.equal(res.status, 201, res.text);
    assert.deepEqual(res.json, {
      fromFile: `${dir.src}/mv.qvd`,
      toFile: `${dir.dst}/moved/mv.qvd`,
      overwrite: false,
    });
    assert.equal(existsSync(path.join(dir.src, 'mv.qvd')), false);
    assert.equal(await readFile(path.join(dir.dst, 'moved/mv.qvd'), 'utf8'), 'moving');
  });

  test('onto an existing file: overwrite false is 409 and both stay; overwrite "true" replaces', async () => {
    await writeFile(path.join(dir.src, 'mv2.qvd'), 'new');
    await writeFile(path.join(dir.dst, 'mv2.qvd'), 'old');
    const body = { fromFile: `${dir.src}/mv2.qvd`, toFile: `${dir.dst}/mv2.qvd` };
    assertError(await call('/v4/filemove', 'PUT', body), 409, 'FILE_DESTINATION_EXISTS', /toFile/);
    assert.equal(await readFile(path.join(dir.src, 'mv2.qvd'), 'utf8'), 'new');
    assert.equal(await readFile(path.join(dir.dst, 'mv2.qvd'), 'utf8'), 'old');
    const res = await call('/v4/filemove', 'PUT', { ...body, overwrite: 'true' });
    assert.equal(res.status, 201, res.text);
    assert.equal(existsSync(path.join(dir.src, 'mv2.qvd')), false);
    assert.equal(await readFile(path.join(dir.dst, 'mv2.qvd'), 'utf8'), 'new');
  });

  test('a missing source is 404; a directory source is 400 and is not moved', async () => {
    assertError(
      await call('/v4/filemove', 'PUT', { fromFile: `${dir.src}/gone.qvd`, toFile: `${dir.dst}/gone.qvd` }),
      404,
      'FILE_NOT_FOUND',
    );
    await mkdir(path.join(dir.src, 'mvdir'));
    assertError(
      await call('/v4/filemove', 'PUT', { fromFile: `${dir.src}/mvdir`, toFile: `${dir.dst}/mvdir` }),
      400,
      'FILE_IS_DIRECTORY',
    );
    assert.equal((await stat(path.join(dir.src, 'mvdir'))).isDirectory(), true);
  });
});

describe('filedelete', () => {
  test('deletes a file (POST + override DELETE with a body)', async () => {
    await writeFile(path.join(dir.del, 'd.qvd'), 'bye');
    const res = await call('/v4/filedelete', 'DELETE', { deleteFile: `${dir.del}/d.qvd` });
    assert.equal(res.status, 204, res.text);
    assert.equal(res.text, '');
    assert.equal(existsSync(path.join(dir.del, 'd.qvd')), false);
  });

  test('a real DELETE with a body works; %23 is #', async () => {
    await writeFile(path.join(dir.del, 'x#y.qvd'), 'bye');
    const res = await api.call('/v4/filedelete', {
      method: 'DELETE',
      body: { deleteFile: `${dir.del}/x%23y.qvd` },
    });
    assert.equal(res.status, 204, res.text);
    assert.equal(existsSync(path.join(dir.del, 'x#y.qvd')), false);
  });

  test('a directory is never deleted (400); a missing file is 404', async () => {
    await mkdir(path.join(dir.del, 'keep'));
    await writeFile(path.join(dir.del, 'keep/inner.qvd'), 'x');
    assertError(
      await call('/v4/filedelete', 'DELETE', { deleteFile: `${dir.del}/keep` }),
      400,
      'FILE_IS_DIRECTORY',
      /deleteFile/,
    );
    assert.equal(await readFile(path.join(dir.del, 'keep/inner.qvd'), 'utf8'), 'x');
    assertError(
      await call('/v4/filedelete', 'DELETE', { deleteFile: `${dir.del}/none.qvd` }),
      404,
      'FILE_NOT_FOUND',
    );
    assertError(
      await call('/v4/filedelete', 'DELETE', { deleteFile: `${dir.del}` }),
      403,
      'FILE_NOT_APPROVED',
    );
  });

  test('files in directories approved only for copy cannot be deleted', async () => {
    await writeFile(path.join(dir.src, 'stay.qvd'), 'stay');
    assertError(
      await call('/v4/filedelete', 'DELETE', { deleteFile: `${dir.src}/stay.qvd` }),
      403,
      'FILE_NOT_APPROVED',
    );
    assert.equal(existsSync(path.join(dir.src, 'stay.qvd')), true);
  });
});

describe('createdir and createdirqvd', () => {
  test('createdir makes nested directories under a root, idempotently; answers the directory as sent', async () => {
    const directory = `${dir.mk}/a/b/c`;
    const res = await call('/v4/createdir', 'POST', { directory });
    assert.equal(res.status, 201, res.text);
    assert.deepEqual(res.json, { directory });
    assert.equal((await stat(path.join(dir.mk, 'a/b/c'))).isDirectory(), true);
    assert.equal((await call('/v4/createdir', 'POST', { directory })).status, 201);
    assert.equal((await call('/v4/createdir', 'POST', { directory: dir.mk })).status, 201, 'the root itself');
  });

  test('createdir with a file in the way is 409', async () => {
    await writeFile(path.join(dir.mk, 'afile'), 'x');
    assertError(
      await call('/v4/createdir', 'POST', { directory: `${dir.mk}/afile/sub` }),
      409,
      'FILE_DESTINATION_EXISTS',
    );
  });

  test('createdirqvd joins below the QVD root ("/abs" included, numbers coerced, "" is the root)', async () => {
    const nested = await call('/v4/createdirqvd', 'POST', { directory: '2024/Q%231' });
    assert.equal(nested.status, 201, nested.text);
    assert.deepEqual(nested.json, { directory: '2024/Q%231' });
    assert.equal((await stat(path.join(dir.qvd, '2024/Q#1'))).isDirectory(), true);
    assert.equal((await call('/v4/createdirqvd', 'POST', { directory: '/abs/2020' })).status, 201);
    assert.equal((await stat(path.join(dir.qvd, 'abs/2020'))).isDirectory(), true);
    const numeric = await call('/v4/createdirqvd', 'POST', { directory: 2021 });
    assert.equal(numeric.status, 201);
    assert.deepEqual(numeric.json, { directory: '2021' });
    assert.equal((await stat(path.join(dir.qvd, '2021'))).isDirectory(), true);
    assert.equal((await call('/v4/createdirqvd', 'POST', { directory: '' })).status, 201);
  });
});

describe('bad input: a 4xx JSON error naming the field', () => {
  const endpoints = [
    { route: '/v4/filecopy', verb: 'PUT', fields: ['fromFile', 'toFile'] },
    { route: '/v4/filemove', verb: 'PUT', fields: ['fromFile', 'toFile'] },
    { route: '/v4/filedelete', verb: 'DELETE', fields: ['deleteFile'] },
    { route: '/v4/createdir', verb: 'POST', fields: ['directory'] },
    { route: '/v4/createdirqvd', verb: 'POST', fields: ['directory'] },
  ] as const;

  function valid(fields: readonly string[]): Record<string, string> {
    const out: Record<string, string> = {};
    for (const f of fields) out[f] = f === 'toFile' ? `${dir.dst}/v.qvd` : `${dir.src}/v.qvd`;
    return out;
  }

  test('no body, a missing field, a wrong type, an over-long path', async () => {
    for (const { route, verb, fields } of endpoints) {
      assertError(await call(route, verb), 400, 'VALIDATION', /^body must be object$/);
      for (const field of fields) {
        const body: Record<string, unknown> = valid(fields);
        delete body[field];
        assertError(
          await call(route, verb, body),
          400,
          'VALIDATION',
          new RegExp(`required property '${field}'`),
        );
        assertError(
          await call(route, verb, { ...valid(fields), [field]: { a: 1 } }),
          400,
          'VALIDATION',
          new RegExp(`^body/${field} must be string$`),
        );
        assertError(
          await call(route, verb, { ...valid(fields), [field]: `/${'x'.repeat(5000)}` }),
          400,
          'VALIDATION',
          new RegExp(`^body/${field} must NOT have more than`),
        );
      }
    }
  });

  test('booleans other than true/false strings are refused naming the field; "" means the default', async () => {
    const body = { fromFile: `${dir.src}/ok.qvd`, toFile: `${dir.dst}/ok-bool.qvd` };
    assertError(
      await call('/v4/filecopy', 'PUT', { ...body, overwrite: 'yes' }),
      400,
      'VALIDATION',
      /^body\/overwrite must be boolean$/,
    );
    assertError(
      await call('/v4/filecopy', 'PUT', { ...body, preserveTimestamp: 'maybe' }),
      400,
      'VALIDATION',
      /^body\/preserveTimestamp must be boolean$/,
    );
    assertError(
      await call('/v4/filemove', 'PUT', { ...body, overwrite: 2 }),
      400,
      'VALIDATION',
      /^body\/overwrite/,
    );
    const blank = await call('/v4/filecopy', 'PUT', { ...body, overwrite: '', preserveTimestamp: '' });
    assert.equal(blank.status, 201, blank.text);
    assert.equal((blank.json as { overwrite: boolean }).overwrite, false);
  });

  test('empty, relative, UNC, device-prefixed and NUL paths on every path field', async () => {
    for (const { route, verb, fields } of endpoints) {
      if (route === '/v4/createdirqvd') continue; // relative by design; checked below
      for (const field of fields) {
        const send = (value: string) => call(route, verb, { ...valid(fields), [field]: value });
        assertError(await send(''), 400, 'MISSING_PARAMETER', new RegExp(field));
        assertError(await send('relative/x.qvd'), 400, 'PATH_NOT_ABSOLUTE', new RegExp(`body/${field}`));
        assertError(await send('C:\\data\\x.qvd'), 400, 'PATH_NOT_ABSOLUTE', new RegExp(`body/${field}`));
        assertError(
          await send('//server/share/x.qvd'),
          400,
          'UNC_NOT_SUPPORTED',
          new RegExp(`body/${field}`),
        );
        assertError(await send('\\\\?\\C:\\x.qvd'), 400, 'VALIDATION', new RegExp(`body/${field}`));
        assertError(await send(`${dir.src}/a\u0000b`), 400, 'VALIDATION', new RegExp(`body/${field}`));
      }
    }
    assertError(
      await call('/v4/createdirqvd', 'POST', { directory: 'a\u0000b' }),
      400,
      'VALIDATION',
      /body\/directory/,
    );
    assertError(
      await call('/v4/createdirqvd', 'POST', { directory: ['a', 'b'] }),
      400,
      'VALIDATION',
      /body\/directory/,
    );
  });

  test('a non-JSON body is 415/400, never a 5xx', async () => {
    const xml = await api.call('/v4/filecopy', {
      method: 'PUT',
      headers: { 'content-type': 'application/xml' },
      body: '<x/>',
    });
    assertError(xml, 415, 'UNSUPPORTED_MEDIA_TYPE');
    const broken = await api.call('/v4/createdir', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"directory":',
    });
    assertError(broken, 400, 'INVALID_JSON');
  });

  test('verbs a path does not serve are 404 ROUTE_NOT_FOUND (createdir is POST only, as in Butler)', async () => {
    assertError(await call('/v4/createdir', 'PUT', { directory: `${dir.mk}/x` }), 404, 'ROUTE_NOT_FOUND');
    assertError(await call('/v4/filedelete', 'PUT', { deleteFile: `${dir.del}/x` }), 404, 'ROUTE_NOT_FOUND');
    assertError(await call('/v4/filecopy', 'POST', { fromFile: '/a', toFile: '/b' }), 404, 'ROUTE_NOT_FOUND');
  });
});
