/**
 * File operations with nothing approved (the default): every operation is refused before the file
 * system is touched; createdirqvd without a QVD root is 503 NOT_CONFIGURED; a disabled flag is 404.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startProductHost, type ProductHost } from '../helpers/product-host';

let api: ProductHost;
let scratch: string;

before(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'fileops-none-'));
  await writeFile(path.join(scratch, 'a.qvd'), 'a');
  api = await startProductHost({ config: { api: { endpoints: { fileMove: false } } } });
});
after(async () => {
  await api?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

function code(res: { json: unknown }): string | undefined {
  return (res.json as { code?: string } | undefined)?.code;
}

test('copy and delete are 403 when no directory is approved; nothing changes', async () => {
  const copy = await api.call('/v4/filecopy', {
    method: 'PUT',
    body: { fromFile: `${scratch}/a.qvd`, toFile: `${scratch}/b.qvd` },
  });
  assert.equal(copy.status, 403);
  assert.equal(code(copy), 'FILE_NOT_APPROVED');
  const del = await api.call('/v4/filedelete', {
    method: 'DELETE',
    body: { deleteFile: `${scratch}/a.qvd` },
  });
  assert.equal(del.status, 403);
  assert.equal(code(del), 'FILE_NOT_APPROVED');
  assert.deepEqual(await readdir(scratch), ['a.qvd']);
});

test('createdir with no fileOps.createDir roots is 403 and creates nothing', async () => {
  const res = await api.call('/v4/createdir', { method: 'POST', body: { directory: `${scratch}/new` } });
  assert.equal(res.status, 403);
  assert.equal(code(res), 'DIR_NOT_APPROVED');
  assert.match((res.json as { message: string }).message, /fileOps\.createDir/);
  assert.deepEqual(await readdir(scratch), ['a.qvd']);
});

test('createdirqvd without fileOps.qvdRoot is 503 NOT_CONFIGURED naming the setting', async () => {
  const res = await api.call('/v4/createdirqvd', { method: 'POST', body: { directory: '2024' } });
  assert.equal(res.status, 503);
  assert.equal(code(res), 'NOT_CONFIGURED');
  assert.match((res.json as { message: string }).message, /fileOps\.qvdRoot/);
});

test('a disabled operation is 404 ENDPOINT_DISABLED and not listed as enabled', async () => {
  const res = await api.call('/v4/filemove', {
    method: 'POST',
    headers: { 'x-http-method-override': 'PUT' },
    body: { fromFile: `${scratch}/a.qvd`, toFile: `${scratch}/b.qvd` },
  });
  assert.equal(res.status, 404);
  assert.equal(code(res), 'ENDPOINT_DISABLED');
  const enabled = (await api.call('/v4/configfile/endpointsenabled')).json as string[];
  assert.equal(enabled.includes('fileMove'), false);
  assert.equal(enabled.includes('fileCopy'), true);
  assert.deepEqual(await readdir(scratch), ['a.qvd']);
});
