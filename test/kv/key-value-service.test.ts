/**
 * The key-value service on each state backend, with an injected clock: TTL, limits, and two service
 * instances sharing one store (as two hosts share one table), racing each other.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ApiError } from '../../shared/http/errors';
import { KeyValueService, type KvLimits } from '../../shared/kv/key-value-service';
import { KV_TABLE, type KvRecord } from '../../shared/kv/records';
import { createFileStateStore } from '../../shared/state/file-store';
import { createMemoryStateStore } from '../../shared/state/memory-store';
import type { StateStore } from '../../shared/state/store';
import { createTableStateStore } from '../../shared/state/table-store';
import { startAzurite, type Azurite } from '../helpers/azurite';

const LIMITS: KvLimits = {
  maxKeysPerNamespace: 20,
  maxValueBytes: 1000,
  maxNamespaces: 5,
  maxTotalBytes: 50_000,
};
const code = (c: string) => (err: unknown) => err instanceof ApiError && err.code === c;

let azurite: Azurite | undefined;
let azuriteSkip: string | undefined;
const dirs: string[] = [];
let tableCounter = 0;

before(async () => {
  const started = await startAzurite();
  azurite = started.azurite;
  azuriteSkip = started.skip;
});
after(async () => {
  await azurite?.stop();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

interface Backend {
  name: string;
  /** Two stores over the same data (for memory: the same store). */
  pair(): Promise<[StateStore, StateStore]>;
  skip(): string | undefined;
}

const backends: Backend[] = [
  {
    name: 'memory',
    pair: () => {
      const store = createMemoryStateStore();
      return Promise.resolve([store, store]);
    },
    skip: () => undefined,
  },
  {
    name: 'file',
    pair: async () => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'butler-kvsvc-'));
      dirs.push(dir);
      // One process owns a file directory: the second service shares the first one's store.
      const store = createFileStateStore({ dir });
      return [store, store];
    },
    skip: () => undefined,
  },
  {
    name: 'table (Azurite)',
    pair: () => {
      // Distinct clients over one table: as two hosts sharing it.
      const tablePrefix = `kv${++tableCounter}x${Date.now().toString(36)}`;
      const make = () => createTableStateStore({ connectionString: azurite!.connectionString, tablePrefix });
      return Promise.resolve([make(), make()]);
    },
    skip: () => azuriteSkip,
  },
];

for (const backend of backends) {
  describe(`key-value service on ${backend.name}`, () => {
    const services = async (now: () => number, limits = LIMITS) => {
      const [a, b] = await backend.pair();
      return [
        new KeyValueService(a.table<KvRecord>(KV_TABLE), limits, now),
        new KeyValueService(b.table<KvRecord>(KV_TABLE), limits, now),
      ] as const;
    };

    test('TTL is absolute and lazy: expired entries are never returned', async (t) => {
      if (backend.skip()) return t.skip(backend.skip());
      let now = 1_000_000;
      const [kv] = await services(() => now);
      const entry = await kv.set('ns', 'a', '1', 500);
      assert.equal(entry.expiresAt, 1_000_500);
      await kv.set('ns', 'b', '2', 0);
      now = 1_000_499;
      assert.equal((await kv.get('ns', 'a'))?.value, '1');
      now = 1_000_500;
      assert.equal(await kv.get('ns', 'a'), undefined);
      assert.deepEqual(await kv.keys('ns'), ['b']);
      await assert.rejects(kv.deleteKey('ns', 'a'), code('KV_KEY_NOT_FOUND'));
      assert.deepEqual(await kv.namespaces(), ['ns']);
    });

    test('limits: keys per namespace (live), namespaces, total bytes; nothing stored on refusal', async (t) => {
      if (backend.skip()) return t.skip(backend.skip());
      let now = 0;
      const [kv] = await services(() => now, { ...LIMITS, maxKeysPerNamespace: 2, maxTotalBytes: 3000 });
      await kv.set('a', 'k1', 'v', 10);
      await kv.set('a', 'k2', 'v', 0);
      await assert.rejects(kv.set('a', 'k3', 'v', 0), code('KV_NAMESPACE_FULL'));
      now = 20;
      await kv.set('a', 'k3', 'v', 0);
      assert.deepEqual(await kv.keys('a'), ['k2', 'k3']);
      for (const ns of ['b', 'c', 'd', 'e']) await kv.set(ns, 'k', 'v', 0);
      await assert.rejects(kv.set('f', 'k', 'v', 0), code('KV_LIMIT_EXCEEDED'));
      assert.equal(await kv.hasNamespace('f'), false);
      await assert.rejects(kv.set('b', 'big', 'x'.repeat(1001), 0), code('KV_VALUE_TOO_LARGE'));
      await kv.set('b', 'k2', 'x'.repeat(1000), 0);
      await kv.set('c', 'k2', 'x'.repeat(1000), 0);
      await assert.rejects(kv.set('d', 'k2', 'x'.repeat(1000), 0), code('KV_LIMIT_EXCEEDED'));
      assert.equal(await kv.get('d', 'k2'), undefined);
      await kv.deleteNamespace('b');
      await kv.set('d', 'k2', 'x'.repeat(1000), 0);
      // A namespace re-created under a deleted name starts empty.
      await kv.set('b', 'fresh', 'v', 0);
      assert.deepEqual(await kv.keys('b'), ['fresh']);
    });

    test('two services racing on one store: nothing lost, the key limit holds exactly', async (t) => {
      if (backend.skip()) return t.skip(backend.skip());
      const [one, two] = await services(Date.now);
      const writes = Array.from({ length: 30 }, (_, i) =>
        (i % 2 ? one : two).set('shared', `k${i}`, `v${i}`, 0).then(
          () => i,
          (err: unknown) => {
            if (err instanceof ApiError && err.code === 'KV_NAMESPACE_FULL') return -1;
            throw err;
          },
        ),
      );
      const done = (await Promise.all(writes)).filter((i) => i >= 0);
      assert.equal(done.length, LIMITS.maxKeysPerNamespace);
      const keys = await one.keys('shared');
      assert.deepEqual([...keys].sort(), done.map((i) => `k${i}`).sort());
      for (const i of done) assert.equal((await two.get('shared', `k${i}`))?.value, `v${i}`);
      // Concurrent creation of new namespaces stops at the namespace limit.
      const created = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) => (i % 2 ? one : two).set(`ns${i}`, 'k', 'v', 0)),
      );
      assert.equal(created.filter((r) => r.status === 'fulfilled').length, LIMITS.maxNamespaces - 1);
      assert.equal((await one.namespaces()).length, LIMITS.maxNamespaces);
    });

    test('task-start batches: all checked first, so a refused batch stores nothing', async (t) => {
      if (backend.skip()) return t.skip(backend.skip());
      const [kv] = await services(Date.now, { ...LIMITS, maxKeysPerNamespace: 3 });
      await assert.rejects(
        kv.setMany([
          { namespace: 'm', key: 'a', value: '1', ttlMs: 0 },
          { namespace: 'm', key: 'b', value: '2', ttlMs: 0 },
          { namespace: 'm', key: 'c', value: '3', ttlMs: 0 },
          { namespace: 'm', key: 'd', value: '4', ttlMs: 0 },
        ]),
        code('KV_NAMESPACE_FULL'),
      );
      assert.equal(await kv.hasNamespace('m'), false);
      const written = await kv.setMany([
        { namespace: 'm', key: 'a', value: '1', ttlMs: 0 },
        { namespace: 'm', key: 'a', value: '2', ttlMs: 0 },
      ]);
      assert.equal(written.length, 2);
      assert.equal((await kv.get('m', 'a'))?.value, '2');
    });
  });
}

test('an unreachable table store is 503 STATE_UNAVAILABLE, with the detail only in the log', async () => {
  const net = await import('node:net');
  const port = await new Promise<number>((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
  const store = createTableStateStore({
    connectionString: `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${Buffer.from('k').toString('base64')};TableEndpoint=http://127.0.0.1:${port}/devstoreaccount1;`,
    tablePrefix: 'down',
    maxRetries: 0,
    timeoutMs: 5000,
  });
  const logged: string[] = [];
  const log = { info: () => undefined, warn: () => undefined, error: (m: string) => logged.push(m) };
  const kv = new KeyValueService(store.table<KvRecord>(KV_TABLE), LIMITS, Date.now, log);
  await assert.rejects(kv.set('ns', 'k', 'v', 0), code('STATE_UNAVAILABLE'));
  await assert.rejects(kv.namespaces(), code('STATE_UNAVAILABLE'));
  assert.match(logged.join('\n'), /Azure Table storage failed/);
});
