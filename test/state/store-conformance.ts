/**
 * The state store contract, as one suite every backend runs: memory, file, and table (on Azurite).
 * Each backend's test file calls `storeConformance` with a factory giving a fresh, empty store.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { isStateConflict, type StateStore } from '../../shared/state/store';

export interface ConformanceTarget {
  /** A store whose tables are empty (a fresh store, or fresh table names). */
  open(): Promise<StateStore>;
  skip?: string;
}

const isConflict = (err: unknown) => isStateConflict(err);

/** Keys every backend must store and give back unchanged. */
export const ODD_KEYS = [
  'with space',
  'hash#tag',
  'a/b/c',
  'what?',
  'back\\slash',
  'per%cent%20',
  "it's",
  'bang!21',
  'tab\there',
  'Ünïcødé ключ 鍵',
  'emoji 🦆',
  '',
  'x'.repeat(100),
  "#/?\\%'!".repeat(12).slice(0, 100),
];

export function storeConformance(backend: string, target: () => ConformanceTarget): void {
  describe(`state store conformance: ${backend}`, () => {
    let store: StateStore;
    const fresh = async () => {
      const t = target();
      store = await t.open();
      // Table names must be unique per test for backends that outlive a store (Azure tables).
      return store.table<Record<string, unknown>>(`t${randomUUID().replace(/-/g, '').slice(0, 12)}`);
    };
    const opts = () => ({ skip: target().skip });

    test('get, insert, list', opts(), async () => {
      const table = await fresh();
      assert.equal(await table.get('p', 'r'), undefined);
      const created = await table.insert('p', 'r', { n: 1, s: 'x', nested: { a: [1, 2] } });
      assert.equal(typeof created.etag, 'string');
      assert.ok(created.etag.length > 0);
      const got = await table.get('p', 'r');
      assert.deepEqual(got?.value, { n: 1, s: 'x', nested: { a: [1, 2] } });
      assert.equal(got?.etag, created.etag);
      assert.equal(got?.partition, 'p');
      assert.equal(got?.row, 'r');
      await table.insert('p', 'r2', { n: 2 });
      await table.insert('q', 'r', { n: 3 });
      const inP = await table.list('p');
      assert.deepEqual(inP.map((e) => e.row).sort(), ['r', 'r2']);
      const all = await table.list();
      assert.deepEqual(all.map((e) => `${e.partition}/${e.row}`).sort(), ['p/r', 'p/r2', 'q/r']);
      assert.deepEqual(await table.list('none'), []);
      await store.close();
    });

    test('insert onto an existing row is a conflict and changes nothing', opts(), async () => {
      const table = await fresh();
      await table.insert('p', 'r', { v: 1 });
      await assert.rejects(table.insert('p', 'r', { v: 2 }), isConflict);
      assert.deepEqual((await table.get('p', 'r'))?.value, { v: 1 });
      await store.close();
    });

    test('put: unconditional upsert, conditional on the etag, stale etag is a conflict', opts(), async () => {
      const table = await fresh();
      const first = await table.put('p', 'r', { v: 1 });
      const second = await table.put('p', 'r', { v: 2 }, first.etag);
      assert.notEqual(second.etag, first.etag);
      await assert.rejects(table.put('p', 'r', { v: 3 }, first.etag), isConflict);
      assert.deepEqual((await table.get('p', 'r'))?.value, { v: 2 });
      await assert.rejects(table.put('p', 'missing', { v: 1 }, second.etag), isConflict);
      assert.equal(await table.get('p', 'missing'), undefined);
      const third = await table.put('p', 'r', { v: 3 });
      assert.equal((await table.get('p', 'r'))?.etag, third.etag);
      await store.close();
    });

    test('delete: missing is false, stale etag is a conflict, current etag deletes', opts(), async () => {
      const table = await fresh();
      assert.equal(await table.delete('p', 'r'), false);
      const first = await table.insert('p', 'r', { v: 1 });
      const second = await table.put('p', 'r', { v: 2 });
      await assert.rejects(table.delete('p', 'r', first.etag), isConflict);
      assert.ok(await table.get('p', 'r'));
      assert.equal(await table.delete('p', 'r', second.etag), true);
      assert.equal(await table.get('p', 'r'), undefined);
      assert.equal(await table.delete('p', 'r'), false);
      await assert.rejects(table.delete('p', 'r', second.etag), isConflict);
      await store.close();
    });

    test('batch: all operations or none', opts(), async () => {
      const table = await fresh();
      const meta = await table.insert('p', 'meta', { n: 0 });
      await table.insert('p', 'old', { v: 'old' });
      const etags = await table.batch('p', [
        { op: 'put', row: 'meta', value: { n: 1 }, etag: meta.etag },
        { op: 'insert', row: 'a', value: { v: 'a' } },
        { op: 'delete', row: 'old' },
      ]);
      assert.equal(etags.length, 3);
      assert.equal(etags[2], undefined);
      assert.equal((await table.get('p', 'meta'))?.etag, etags[0]);
      assert.deepEqual((await table.list('p')).map((e) => e.row).sort(), ['a', 'meta']);
      // A stale etag fails the whole batch: the insert beside it does not happen.
      await assert.rejects(
        table.batch('p', [
          { op: 'put', row: 'meta', value: { n: 2 }, etag: meta.etag },
          { op: 'insert', row: 'b', value: { v: 'b' } },
        ]),
        isConflict,
      );
      assert.equal(await table.get('p', 'b'), undefined);
      assert.deepEqual((await table.get('p', 'meta'))?.value, { n: 1 });
      // So does an insert onto an existing row, or a delete of a missing one.
      await assert.rejects(
        table.batch('p', [
          { op: 'put', row: 'meta', value: { n: 3 } },
          { op: 'insert', row: 'a', value: { v: 'again' } },
        ]),
        isConflict,
      );
      await assert.rejects(
        table.batch('p', [
          { op: 'put', row: 'meta', value: { n: 4 } },
          { op: 'delete', row: 'never' },
        ]),
        isConflict,
      );
      assert.deepEqual((await table.get('p', 'meta'))?.value, { n: 1 });
      assert.deepEqual((await table.get('p', 'a'))?.value, { v: 'a' });
      await store.close();
    });

    test('concurrent writers: etag-checked increments lose nothing', opts(), async () => {
      const table = await fresh();
      await table.insert('p', 'counter', { n: 0 });
      const writers = 12;
      await Promise.all(
        Array.from({ length: writers }, async () => {
          for (;;) {
            const cur = await table.get('p', 'counter');
            try {
              await table.put('p', 'counter', { n: (cur?.value.n as number) + 1 }, cur?.etag);
              return;
            } catch (err) {
              if (!isConflict(err)) throw err;
            }
          }
        }),
      );
      assert.deepEqual((await table.get('p', 'counter'))?.value, { n: writers });
      // Concurrent inserts of one row: exactly one wins.
      const results = await Promise.allSettled(
        Array.from({ length: 6 }, (_, i) => table.insert('p', 'claim', { by: i })),
      );
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      // Concurrent writes of distinct rows: all there.
      await Promise.all(Array.from({ length: 20 }, (_, i) => table.put('many', `r${i}`, { i })));
      assert.equal((await table.list('many')).length, 20);
      await store.close();
    });

    test('odd partition and row names round-trip unchanged', opts(), async () => {
      const table = await fresh();
      for (const key of ODD_KEYS) {
        const partition = key === '' ? 'p' : key;
        await table.insert(partition, key, { key });
        const got = await table.get(partition, key);
        assert.deepEqual(got?.value, { key }, `get ${JSON.stringify(key)}`);
        assert.equal(got?.row, key);
        assert.equal(got?.partition, partition);
        const listed = await table.list(partition);
        assert.ok(
          listed.some((e) => e.row === key && e.partition === partition),
          `list ${JSON.stringify(key)}`,
        );
      }
      // Names that differ only where an encoding could collide stay distinct.
      await table.put('c', 'a/b', { v: 1 });
      await table.put('c', 'a!2fb', { v: 2 });
      await table.put('c', 'a%2Fb', { v: 3 });
      assert.deepEqual((await table.get('c', 'a/b'))?.value, { v: 1 });
      assert.deepEqual((await table.get('c', 'a!2fb'))?.value, { v: 2 });
      assert.deepEqual((await table.get('c', 'a%2Fb'))?.value, { v: 3 });
      assert.equal(await table.delete('c', 'a/b'), true);
      assert.deepEqual((await table.list('c')).map((e) => e.row).sort(), ['a!2fb', 'a%2Fb']);
      await store.close();
    });

    test('values are copies: changing a returned object changes nothing stored', opts(), async () => {
      const table = await fresh();
      const value = { list: [1] };
      const created = await table.insert('p', 'r', value);
      value.list.push(2);
      (created.value.list as number[]).push(3);
      const got = await table.get('p', 'r');
      (got?.value.list as number[]).push(4);
      assert.deepEqual((await table.get('p', 'r'))?.value, { list: [1] });
      await store.close();
    });

    test(
      'peek, where offered, answers what get answers, frozen and never changed by writers',
      opts(),
      async () => {
        const table = await fresh();
        if (!table.peek) {
          // A backend whose reads are I/O (table) offers only `get`.
          assert.match(backend, /^table/);
          await store.close();
          return;
        }
        assert.equal(table.peek('p', 'r'), undefined);
        const created = await table.insert('p', 'r', { list: [1] });
        const peeked = table.peek('p', 'r');
        assert.deepEqual(peeked, await table.get('p', 'r'));
        assert.equal(peeked?.etag, created.etag);
        assert.throws(() => (peeked?.value.list as number[]).push(2), TypeError);
        assert.equal(Object.isFrozen(peeked), true);
        assert.equal(table.peek('p', 'r'), peeked, 'one entity per stored version');
        const copy = await table.get('p', 'r');
        (copy?.value.list as number[]).push(3);
        assert.deepEqual(table.peek('p', 'r')?.value, { list: [1] });
        // A write makes a new version: peek answers it, the old frozen value is left as it was.
        await table.put('p', 'r', { list: [5] });
        assert.deepEqual(table.peek('p', 'r')?.value, { list: [5] });
        assert.deepEqual(peeked?.value, { list: [1] });
        await store.close();
      },
    );
  });
}
