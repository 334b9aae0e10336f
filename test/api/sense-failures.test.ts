/**
 * Sense failures through the endpoints: each gives the documented status and a message that tells an
 * administrator what to fix, and the host stays healthy afterwards.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { startSenseEnv, type SenseEnv } from '../helpers/sense-env';
import { gate } from '../sensesim/faults';
import { FIXTURE } from '../sensesim/fixtures';

interface ErrorJson {
  statusCode: number;
  code: string;
  message: string;
}

let env: SenseEnv;

before(async () => {
  env = await startSenseEnv({ sense: { timeoutMs: 1000 } });
});
after(async () => {
  await env?.close();
});
afterEach(() => env.sim.clearFaults());

async function startSales(): Promise<{ status: number; json: ErrorJson }> {
  const res = await env.api.call(`/v4/reloadtask/${FIXTURE.taskReloadSales}/start?allTaskIdsMustExist=true`, {
    method: 'PUT',
  });
  return { status: res.status, json: res.json as ErrorJson };
}

async function healthy(): Promise<void> {
  assert.equal((await env.api.call('/v4/butlerping')).status, 200);
  const ok = await startSales();
  assert.equal(ok.status, 200, JSON.stringify(ok.json));
}

describe('QRS errors', () => {
  test('QRS 500 on the lookup → 502 SENSE_ERROR naming the upstream status; nothing started', async () => {
    env.sim.qrsFault({ method: 'GET', path: '/qrs/task', status: 500, body: 'Internal Server Error' });
    const res = await startSales();
    assert.equal(res.status, 502);
    assert.equal(res.json.code, 'SENSE_ERROR');
    assert.match(res.json.message, /500/);
    assert.equal(
      env.sim.qrsCalls.some((c) => c.path.endsWith('/start/synchronous')),
      false,
    );
    env.sim.clearFaults();
    await healthy();
  });

  test('QRS 404 on every start route → reported in tasksFailed with status 404', async () => {
    env.sim.qrsFault({ method: 'POST', path: /\/start(\/synchronous)?$/, status: 404, body: 'Not found' });
    const res = await env.api.call(
      `/v4/reloadtask/${FIXTURE.taskReloadSales}/start?allTaskIdsMustExist=true`,
      { method: 'PUT' },
    );
    assert.equal(res.status, 200);
    const report = res.json as { tasksFailed: { statusCode: number; taskId: string }[] };
    assert.deepEqual(
      report.tasksFailed.map((f) => [f.taskId, f.statusCode]),
      [[FIXTURE.taskReloadSales, 404]],
    );
  });

  test('a QRS without the synchronous start route → the plain start is used, without execution id', async () => {
    env.sim.resetJournal();
    env.sim.qrsFault({ method: 'POST', path: /\/start\/synchronous$/, status: 404, body: 'Not found' });
    const res = await env.api.call(`/v4/reloadtask/${FIXTURE.taskReloadSales}/start`, { method: 'PUT' });
    assert.equal(res.status, 200);
    const report = res.json as { tasksId: { started: { taskId: string; executionId: string | null }[] } };
    assert.deepEqual(
      report.tasksId.started.map((t) => [t.taskId, t.executionId]),
      [[FIXTURE.taskReloadSales, null]],
    );
    const plain = env.sim.qrsCalls.filter(
      (c) => c.method === 'POST' && c.path === `/qrs/task/${FIXTURE.taskReloadSales}/start`,
    );
    assert.equal(plain.length, 1);
    assert.equal(plain[0]?.status, 204);
  });

  test('slow QRS beyond sense.timeoutMs → 504 UPSTREAM_TIMEOUT, then the host still works', async () => {
    const held = gate();
    env.sim.qrsFault({ method: 'GET', path: '/qrs/task', until: held.until, times: 3 });
    const res = await startSales();
    held.release();
    assert.equal(res.status, 504);
    assert.equal(res.json.code, 'UPSTREAM_TIMEOUT');
    env.sim.clearFaults();
    await healthy();
  });
});
