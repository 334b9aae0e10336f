import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mapLimit } from '../../shared/concurrency/map-limit';

/** A call whose completion the test controls, so order and overlap do not depend on timing. */
function gate<T>() {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (open = resolve));
  return { promise, open };
}

test('results keep the input order even when later items finish first', async () => {
  const gates = [gate<string>(), gate<string>(), gate<string>()];
  const run = mapLimit([0, 1, 2], 3, (i) => gates[i]!.promise);
  gates[2]!.open('c');
  gates[0]!.open('a');
  gates[1]!.open('b');
  assert.deepEqual(await run, ['a', 'b', 'c']);
});

test('never more than `limit` calls are in flight', async () => {
  let inFlight = 0;
  let peak = 0;
  const results = await mapLimit([...Array(20).keys()], 3, async (i) => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    await new Promise((resolve) => setImmediate(resolve));
    inFlight--;
    return i * 2;
  });
  assert.equal(peak, 3);
  assert.deepEqual(
    results,
    [...Array(20).keys()].map((i) => i * 2),
  );
});

test('a rejection rejects the whole call', async () => {
  await assert.rejects(
    mapLimit([1, 2, 3], 2, (i) =>
      i === 2 ? Promise.reject(new Error('item 2 failed')) : Promise.resolve(i),
    ),
    /item 2 failed/,
  );
});

test('no items: no calls, an empty result', async () => {
  let calls = 0;
  assert.deepEqual(
    await mapLimit([], 4, () => {
      calls++;
      return Promise.resolve(1);
    }),
    [],
  );
  assert.equal(calls, 0);
});
