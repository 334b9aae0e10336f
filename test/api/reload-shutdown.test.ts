/** Stopping the host while an app reload still runs in the background ends that reload; it never hangs. */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { test } from 'node:test';
import { startSenseEnv } from '../helpers/sense-env';
import { gate } from '../sensesim/faults';
import { FIXTURE } from '../sensesim/fixtures';

test('close() with a reload waiting on the Engine finishes and drops the engine socket', async () => {
  const env = await startSenseEnv({ sense: { reloadWaitMs: 1000 } });
  // DoReload never answers while the host closes: only close() can end the reload.
  const held = gate();
  try {
    env.sim.engineFault({ method: 'DoReload', until: held.until });
    const res = await env.api.call(`/v4/app/${FIXTURE.appSales}/reload`, { method: 'PUT', body: {} });
    assert.equal(res.status, 202);
    let timer: NodeJS.Timeout | undefined;
    const hung = new Promise<'hung'>((resolve) => {
      timer = setTimeout(() => resolve('hung'), 20_000);
    });
    const outcome = await Promise.race([env.api.close().then(() => 'closed' as const), hung]);
    clearTimeout(timer);
    assert.equal(outcome, 'closed');
    assert.equal(
      env.sim.engineCalls.some((c) => c.method === 'DoSave'),
      false,
      'an aborted reload is not saved',
    );
  } finally {
    held.release();
    await env.sim.close();
    await rm(env.pki.dir, { recursive: true, force: true });
  }
});
