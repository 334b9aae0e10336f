/**
 * The simulator's change notifications as QRS makes them: registration (body = callback URL as a
 * JSON string, GUID handle), callbacks with an array of change objects and a numeric changeType (or
 * the enum name), filters, duplicates, "do not call back", unsubscribe, and a QRS restart forgetting
 * every subscription. Also: finishing a task's execution as success, failed and aborted.
 */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { Agent } from 'undici';
import { createTestPki } from '../helpers/pki';
import { startHttpSink, type HttpSink } from '../helpers/alert-sinks';
import { FIXTURE, NEVER, SenseSim } from './index';
import type { TestPki } from './index';
import { XRFKEY, makeAgent, qrs } from './test-clients';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
let pki: TestPki;
let sim: SenseSim;
let agent: Agent;
let sink: HttpSink;

before(async () => {
  pki = await createTestPki();
  sim = await SenseSim.start({ pki });
  agent = makeAgent(pki);
  sink = await startHttpSink();
});
after(async () => {
  await agent.close();
  await sim.close();
  await sink.close();
  await fs.rm(pki.dir, { recursive: true, force: true });
});
beforeEach(() => {
  sim.restartQrs();
  sim.notifications.callbacks.length = 0;
  Object.assign(sim.notifications.knobs, { suppress: false, changeTypeAsName: false, copies: 1 });
});

async function subscribe(query: string, url: unknown = `${sink.url}/cb?code=k`) {
  return qrs(sim, agent, '/qrs/notification', {
    method: 'POST',
    rawQuery: `xrfkey=${XRFKEY}&${query}`,
    body: JSON.stringify(url),
  });
}

describe('subscriptions', () => {
  test('registration answers a handle; DELETE removes it (204), then 404', async () => {
    const res = await subscribe('name=ExecutionResult&changetype=Update');
    assert.equal(res.status, 200);
    const handle = (res.json() as { value: string }).value;
    assert.match(handle, GUID);
    assert.equal(sim.notifications.subscriptions.get(handle)?.url, `${sink.url}/cb?code=k`);
    const del = () =>
      qrs(sim, agent, '/qrs/notification', {
        method: 'DELETE',
        rawQuery: `xrfkey=${XRFKEY}&handle=${handle}`,
      });
    assert.equal((await del()).status, 204);
    assert.equal((await del()).status, 404);
  });

  test('a body that is not a JSON string URL, or no name, is refused', async () => {
    assert.equal((await subscribe('name=ExecutionResult', { url: 'http://x' })).status, 400);
    assert.equal((await subscribe('changetype=Update')).status, 400);
    assert.equal((await subscribe('name=ExecutionResult&changetype=Sideways')).status, 400);
  });

  test('a QRS restart forgets every subscription', async () => {
    await subscribe('name=ExecutionResult&changetype=Update');
    assert.equal(sim.notifications.subscriptions.size, 1);
    sim.restartQrs();
    assert.equal(sim.notifications.subscriptions.size, 0);
    await sim.finishTask(FIXTURE.taskReloadSales, { outcome: 'fail' });
    assert.equal(sim.notifications.callbacks.length, 0);
  });
});

describe('callbacks', () => {
  test('an Update subscription gets the final change only, as an array with a numeric changeType', async () => {
    await subscribe('name=ExecutionResult&changetype=Update');
    const before = sink.requests.length;
    const result = await sim.finishTask(FIXTURE.taskReloadSales, { outcome: 'fail' });
    const calls = sink.requests.slice(before);
    assert.equal(calls.length, 1);
    assert.equal(calls[0]?.method, 'POST');
    assert.equal(calls[0]?.query.get('code'), 'k');
    const body = calls[0]?.json as Record<string, unknown>[];
    assert.ok(Array.isArray(body));
    assert.equal(body[0]?.objectType, 'ExecutionResult');
    assert.equal(body[0]?.objectID, result.id);
    assert.equal(body[0]?.changeType, 2);
    assert.equal(body[0]?.schemaPath, 'ExternalChangeInfo');
  });

  test('filters apply; changeType as name, duplicates and "do not call back" are knobs', async () => {
    await subscribe(
      `name=ExecutionResult&changetype=Update&filter=${encodeURIComponent('status eq FinishedFail')}`,
    );
    const before = sink.requests.length;
    await sim.finishTask(FIXTURE.taskReloadSales, { outcome: 'success' });
    assert.equal(sink.requests.length, before, 'filtered out');
    sim.notifications.knobs.changeTypeAsName = true;
    sim.notifications.knobs.copies = 2;
    await sim.finishTask(FIXTURE.taskReloadSales, { outcome: 'fail' });
    const calls = sink.requests.slice(before);
    assert.equal(calls.length, 2);
    assert.equal((calls[0]?.json as { changeType: unknown }[])[0]?.changeType, 'Update');
    sim.notifications.knobs.suppress = true;
    await sim.finishTask(FIXTURE.taskReloadSales, { outcome: 'fail' });
    assert.equal(sink.requests.length, before + 2);
  });
});

describe('finishing executions', () => {
  for (const [outcome, status, last] of [
    ['success', 7, 'FinishedSuccess'],
    ['fail', 8, 'FinishedFail'],
    ['abort', 6, 'Aborted'],
  ] as const) {
    test(`${outcome}: a final result row with details, duration and a downloadable log`, async () => {
      const result = await sim.finishTask(FIXTURE.taskReloadFinance, { outcome, scriptLog: ['a', 'b'] });
      assert.equal(result.status, status);
      assert.notEqual(result.stopTime, NEVER);
      assert.ok(result.duration > 0);
      assert.match(result.details.at(-1)?.message ?? '', new RegExp(`to ${last}$`));
      const row = await qrs(sim, agent, `/qrs/executionresult/${result.id}`);
      assert.equal((row.json() as { status: number }).status, status);
      const ref = await qrs(sim, agent, `/qrs/reloadtask/${FIXTURE.taskReloadFinance}/scriptlogfile`, {
        rawQuery: `xrfkey=${XRFKEY}&executionResultId=${result.id}`,
      });
      const id = (ref.json() as { value: string }).value;
      const log = await qrs(sim, agent, `/qrs/download/reloadtask/${id}/log.txt`);
      assert.equal(log.text, 'a\r\nb\r\n');
    });
  }
});
