/** The key-value service's read helpers the API uses: which refusal a missing namespace or key gets. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError } from '../../shared/http/errors';
import { KeyValueService } from '../../shared/kv/key-value-service';
import { KV_TABLE, type KvRecord } from '../../shared/kv/records';
import { createMemoryStateStore } from '../../shared/state/memory-store';

const code = (c: string, message: string) => (err: unknown) =>
  err instanceof ApiError && err.code === c && err.message === message;

function service(): KeyValueService {
  return new KeyValueService(createMemoryStateStore().table<KvRecord>(KV_TABLE), {
    maxKeysPerNamespace: 10,
    maxValueBytes: 100,
    maxNamespaces: 10,
    maxTotalBytes: 10_000,
  });
}

test('lookup: the entry, undefined for a missing or empty key, KV_NAMESPACE_NOT_FOUND for a missing namespace', async () => {
  const kv = service();
  await kv.set('ns', 'k', 'v', 0);
  assert.equal((await kv.lookup('ns', 'k'))?.value, 'v');
  assert.equal(await kv.lookup('ns', 'other'), undefined);
  assert.equal(await kv.lookup('ns', ''), undefined);
  await assert.rejects(kv.lookup('ghost', ''), code('KV_NAMESPACE_NOT_FOUND', 'Namespace not found: ghost'));
});

test('entry: the entry, else KV_KEY_NOT_FOUND or KV_NAMESPACE_NOT_FOUND with Butler messages', async () => {
  const kv = service();
  await kv.set('ns', 'k', 'v', 0);
  assert.equal((await kv.entry('ns', 'k')).value, 'v');
  await assert.rejects(kv.entry('ns', 'x'), code('KV_KEY_NOT_FOUND', "Key 'x' not found in namespace: ns"));
  await assert.rejects(kv.entry('ns', ''), code('KV_KEY_NOT_FOUND', "Key '' not found in namespace: ns"));
  await assert.rejects(kv.entry('ghost', 'k'), code('KV_NAMESPACE_NOT_FOUND', 'Namespace not found: ghost'));
});
