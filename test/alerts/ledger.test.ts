/** Alert bookkeeping on the state store: claims (insert = claim, lease take-over) and pruning. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AlertLedger } from '../../shared/alerts/ledger';
import { createMemoryStateStore } from '../../shared/state/memory-store';

const RESULT = '0A13357D-5DE6-4F05-B93F-4E2D2B0AC5DF';

function ledgerAt(clock: { now: number }) {
  const store = createMemoryStateStore();
  return { store, ledger: (lease = 60_000) => new AlertLedger(store, lease, () => new Date(clock.now)) };
}

describe('claims', () => {
  it('one claim per result and channel, whatever the case of the id', async () => {
    const clock = { now: Date.parse('2026-01-01T00:00:00Z') };
    const { ledger } = ledgerAt(clock);
    const a = ledger();
    const b = ledger();
    const first = await a.claim(RESULT, 'slack');
    assert.ok(first);
    assert.equal(await b.claim(RESULT.toLowerCase(), 'slack'), undefined);
    assert.ok(await b.claim(RESULT, 'teams'), 'another channel is its own claim');
    await first.settle('sent', 1);
    clock.now += 3600_000;
    assert.equal(await b.claim(RESULT, 'slack'), undefined, 'a settled claim is never taken over');
  });

  it('a claim left sending past the lease is taken over once; a released one is free again', async () => {
    const clock = { now: Date.parse('2026-01-01T00:00:00Z') };
    const { ledger } = ledgerAt(clock);
    const a = ledger(1000);
    const dead = await a.claim(RESULT, 'email');
    assert.ok(dead);
    clock.now += 500;
    assert.equal(await a.claim(RESULT, 'email'), undefined, 'within the lease');
    clock.now += 1000;
    const [x, y] = await Promise.all([
      ledger(1000).claim(RESULT, 'email'),
      ledger(1000).claim(RESULT, 'email'),
    ]);
    assert.equal([x, y].filter(Boolean).length, 1, 'exactly one host takes it over');
    await (x ?? y)?.release();
    assert.ok(await a.claim(RESULT, 'email'));
  });
});

describe('pruning', () => {
  it('removes settled bookkeeping older than the cutoff and keeps the rest', async () => {
    const clock = { now: Date.parse('2026-01-01T00:00:00Z') };
    const { ledger } = ledgerAt(clock);
    const l = ledger();
    const old = await l.claim(RESULT, 'slack');
    await old?.settle('sent', 1);
    await l.markDone(RESULT);
    await l.takeRateSlot('slack', 'task-1', 300);
    const inFlight = await l.claim(RESULT, 'teams');
    assert.ok(inFlight);
    clock.now += 20 * 24 * 3600_000;
    const fresh = await l.claim('84996afc-9f38-495c-9784-a46df766e3bd', 'slack');
    await fresh?.settle('sent', 1);
    const removed = await l.prune(new Date(clock.now - 14 * 24 * 3600_000));
    assert.equal(removed, 3, 'old claim, done marker and rate slot');
    assert.equal(await l.isDone(RESULT), false);
    assert.equal((await l.claimState(RESULT, 'teams'))?.state, 'sending', 'a claim in progress stays');
    assert.equal((await l.claimState('84996afc-9f38-495c-9784-a46df766e3bd', 'slack'))?.state, 'sent');
  });
});
