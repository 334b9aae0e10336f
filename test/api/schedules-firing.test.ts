/**
 * Schedules fire through the timer trigger on the embedded host and start their task in the Sense
 * simulator through the task-start path (api.startTaskFilter applied); the outcome is recorded on the
 * schedule as lastRun.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, afterEach, before, test } from 'node:test';
import { assertSenseIdentity, startSenseEnv, type SenseEnv } from '../helpers/sense-env';
import { FIXTURE } from '../sensesim/fixtures';

interface LastRun {
  occurrence: string;
  at: string;
  status: string;
  executionId: string | null;
  error?: string;
}

let env: SenseEnv;
before(async () => {
  env = await startSenseEnv({
    config: {
      state: { backend: 'memory' },
      api: {
        startTaskFilter: {
          enable: true,
          allowTask: { taskId: [FIXTURE.taskReloadSales, FIXTURE.taskUnknown], tag: [], customProperty: [] },
        },
      },
    },
  });
});
after(async () => {
  await env?.close();
});
afterEach(() => {
  assertSenseIdentity(env.sim);
});

async function schedule(taskId: string): Promise<string> {
  const res = await env.api.call('/v4/schedules', {
    method: 'POST',
    body: {
      name: 'every second',
      cronSchedule: '* * * * * *',
      timezone: 'UTC',
      qlikSenseTaskId: taskId,
      startupState: 'started',
    },
  });
  assert.equal(res.status, 201, res.text);
  return (res.json as { id: string }).id;
}

/** Polls the schedule until it records a firing; the bound only keeps a broken build from hanging. */
async function firstRun(id: string): Promise<LastRun> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const res = await env.api.call(`/v4/schedules?id=${id}`);
    const lastRun = (res.json as { lastRun?: LastRun }[])[0]?.lastRun;
    if (lastRun) {
      await env.api.call(`/v4/schedules/${id}/stop`, { method: 'PUT' });
      return lastRun;
    }
    assert.ok(Date.now() < deadline, 'the schedule never fired');
    await sleep(100);
  }
}

function startsOf(taskId: string) {
  return env.sim.qrsCalls.filter(
    (c) => c.method === 'POST' && c.path === `/qrs/task/${taskId}/start/synchronous`,
  );
}

test('a due schedule starts its task in Sense and records the execution id', async () => {
  const id = await schedule(FIXTURE.taskReloadSales);
  const lastRun = await firstRun(id);
  assert.equal(lastRun.status, 'started', JSON.stringify(lastRun));
  assert.ok(startsOf(FIXTURE.taskReloadSales).length >= 1);
  const execution = env.sim.fixtures.executionResults.find((r) => r.executionID === lastRun.executionId);
  assert.equal(execution?.taskID, FIXTURE.taskReloadSales, 'the recorded execution is the one Sense started');
  assert.equal(Date.parse(lastRun.occurrence) % 1000, 0, 'occurrences are whole seconds');
  assert.ok(Date.parse(lastRun.at) >= Date.parse(lastRun.occurrence));
});

test('a task outside api.startTaskFilter is not started; the denial is recorded', async () => {
  const id = await schedule(FIXTURE.taskReloadHr);
  const lastRun = await firstRun(id);
  assert.equal(lastRun.status, 'failed');
  assert.match(lastRun.error ?? '', /api\.startTaskFilter/);
  assert.equal(lastRun.executionId, null);
  assert.equal(startsOf(FIXTURE.taskReloadHr).length, 0);
});

test('a task Sense does not know is recorded as a failed firing', async () => {
  const id = await schedule(FIXTURE.taskUnknown);
  const lastRun = await firstRun(id);
  assert.deepEqual([lastRun.status, lastRun.error], ['failed', 'no such task in Sense']);
  assert.equal(startsOf(FIXTURE.taskUnknown).length, 0);
});
