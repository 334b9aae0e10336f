/**
 * App reload past `sense.reloadWaitMs`: 202 with a status URL. The simulator holds DoReload until the test
 * has seen the 202, so the outcome does not depend on how fast the machine is.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertSenseIdentity, startSenseEnv, type SenseEnv } from '../helpers/sense-env';
import { gate } from '../sensesim/faults';
import { FIXTURE } from '../sensesim/fixtures';

interface ReloadJson {
  status: string;
  statusUrl?: string;
  tasksStarted: { taskId: string }[];
}

describe('a reload longer than sense.reloadWaitMs', () => {
  let slow: SenseEnv;
  before(async () => {
    slow = await startSenseEnv({
      sense: { reloadWaitMs: 1000 },
      config: {
        api: {
          startTaskFilter: {
            enable: true,
            allowTask: { taskId: [FIXTURE.taskReloadSales], tag: [], customProperty: [] },
          },
        },
      },
    });
  });
  after(async () => {
    await slow?.close();
  });

  test('answers 202 with a status URL to follow, which reports the outcome once the reload ends', async () => {
    // DoReload is held until the 202 and a 'running' status have been seen, whatever the machine's load.
    const held = gate();
    slow.sim.engineFault({ method: 'DoReload', until: held.until, times: 1 });
    const res = await slow.api.call(`/v4/app/${FIXTURE.appSales}/reload`, {
      method: 'POST',
      headers: { 'x-http-method-override': 'PUT' },
      body: JSON.stringify({ startQSEoWTaskOnSuccess: [FIXTURE.taskReloadSales] }),
    });
    assert.equal(res.status, 202, res.text);
    const json = res.json as ReloadJson;
    assert.equal(json.status, 'running');
    assert.equal(res.headers.location, json.statusUrl);
    const running = await slow.api.call(json.statusUrl ?? '');
    assert.equal((running.json as ReloadJson).status, 'running');

    held.release();
    // The follow-up start reaching QRS is the event; the status turns final right after its answer.
    await slow.sim.qrsCallSeen(
      (call) => call.method === 'POST' && call.path.includes(FIXTURE.taskReloadSales),
    );
    let final = (await slow.api.call(json.statusUrl ?? '')).json as ReloadJson;
    for (let i = 0; i < 500 && final.status === 'running'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      final = (await slow.api.call(json.statusUrl ?? '')).json as ReloadJson;
    }
    assert.equal(final.status, 'succeeded');
    assert.deepEqual(
      final.tasksStarted.map((t) => t.taskId),
      [FIXTURE.taskReloadSales],
    );
    assertSenseIdentity(slow.sim);
  });
});
