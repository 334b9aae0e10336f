import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError } from '../../shared/http/errors';
import { createMemoryKvStore } from '../../shared/state/memory-kv';

test('TTL expiry is lazy and absolute', async () => {
  let now = 1_000;
  const kv = createMemoryKvStore({ maxKeysPerNamespace: 10, now: () => now });
  await kv.set('ns', 'a', '1', 500);
  assert.equal((await kv.get('ns', 'a'))?.value, '1');
  now = 1_499;
  assert.equal((await kv.get('ns', 'a'))?.expiresAt, 1_500);
  now = 1_500;
  assert.equal(await kv.get('ns', 'a'), undefined);
});

test('a full namespace refuses new keys but allows overwrites; expired keys free room', async () => {
  let now = 0;
  const kv = createMemoryKvStore({ maxKeysPerNamespace: 2, now: () => now });
  await kv.set('ns', 'a', '1', 0);
  await kv.set('ns', 'b', '2', 100);
  await assert.rejects(
    kv.set('ns', 'c', '3', 0),
    (err: unknown) => err instanceof ApiError && err.code === 'KV_NAMESPACE_FULL',
  );
  assert.equal((await kv.set('ns', 'a', 'again', 0)).value, 'again');
  now = 200;
  assert.equal((await kv.set('ns', 'c', '3', 0)).value, '3');
});
