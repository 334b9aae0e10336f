/**
 * The alert service against the simulator, without a host: two services sharing one state store (two
 * hosts) deliver each execution once, whichever path (callback or backstop) sees it and however they
 * race; the rate limit per task and channel; an enrichment failure frees the claims for a later try.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, beforeEach, describe, it } from 'node:test';
import { AlertService } from '../../shared/alerts/service';
import type { ButlerConfig } from '../../shared/config/types';
import { defaultConfig } from '../../shared/config/load';
import { silentLogger } from '../../shared/log';
import { SenseClient } from '../../shared/sense/client';
import { createMemoryStateStore } from '../../shared/state/memory-store';
import type { StateStore } from '../../shared/state/store';
import { startHttpSink, type HttpSink } from '../helpers/alert-sinks';
import { createTestPki, type TestPki } from '../helpers/pki';
import { FIXTURE, SenseSim } from '../sensesim/index';
import { senseConfig } from '../sense/setup';
import { alertsConfig } from './sample-event';

let pki: TestPki;
let sim: SenseSim;
let sense: SenseClient;
let sink: HttpSink;
let state: StateStore;
const services: AlertService[] = [];

before(async () => {
  pki = await createTestPki();
  sim = await SenseSim.start({ pki });
  sink = await startHttpSink();
  sense = new SenseClient(
    senseConfig(pki, sim, { host: sim.host, serverName: 'localhost', timeoutMs: 5000 }),
  );
  sim.notifications.knobs.suppress = true;
});
after(async () => {
  await Promise.all(services.map((s) => s.close()));
  await sense?.close();
  await sim?.close();
  await sink?.close();
  if (pki) await rm(pki.dir, { recursive: true, force: true });
});
beforeEach(() => {
  state = createMemoryStateStore();
});

function service(rateLimitSeconds = 0): AlertService {
  const config: ButlerConfig = {
    ...defaultConfig(),
    alerts: alertsConfig((c) => {
      c.rateLimitSeconds = rateLimitSeconds;
      c.channels.webhook = [
        { name: 'ops', url: `${sink.url}/ops`, method: 'POST', headers: [], outcomes: null, tasks: null },
      ];
    }),
  };
  const s = new AlertService({ config, qrs: () => sense.qrs, state, log: silentLogger, scriptLogWaitMs: 0 });
  services.push(s);
  return s;
}

const deliveredFor = (resultId: string) =>
  sink
    .delivered('/ops')
    .filter((r) => (r.json as { executionResultId?: string }).executionResultId === resultId);

describe('two hosts on one state store', () => {
  it('racing callbacks and backstops deliver each execution once', async () => {
    const a = service();
    const b = service();
    await a.backstop(); // first run sets the cursor to now
    const results = [
      await sim.finishTask(FIXTURE.taskReloadSales, { outcome: 'fail' }),
      await sim.finishTask(FIXTURE.taskReloadFinance, { outcome: 'abort' }),
    ];
    await Promise.all([
      ...results.flatMap((r) => [a.processId(r.id), b.processId(r.id), a.processId(r.id)]),
      a.backstop(),
      b.backstop(),
    ]);
    await Promise.all([a.backstop(), b.backstop()]);
    for (const r of results) assert.equal(deliveredFor(r.id).length, 1, r.id);
  });

  it('the backstop alone finds a result no callback named', async () => {
    const a = service();
    await a.backstop();
    const result = await sim.finishTask(FIXTURE.taskReloadHr, { outcome: 'fail' });
    await a.backstop();
    await a.backstop();
    assert.equal(deliveredFor(result.id).length, 1);
  });

  it('successful runs are ignored unless an outcome asks for them', async () => {
    const a = service();
    const result = await sim.finishTask(FIXTURE.taskReloadSales, { outcome: 'success' });
    await a.processId(result.id);
    assert.equal(deliveredFor(result.id).length, 0);
  });
});

describe('rate limit and failures', () => {
  it('a second alert for the same task and channel within the limit is suppressed', async () => {
    const a = service(300);
    const first = await sim.finishTask(FIXTURE.taskReloadSales, { outcome: 'fail' });
    const second = await sim.finishTask(FIXTURE.taskReloadSales, { outcome: 'fail' });
    await a.processId(first.id);
    await a.processId(second.id);
    assert.equal(deliveredFor(first.id).length, 1);
    assert.equal(deliveredFor(second.id).length, 0);
  });

  it('an enrichment failure frees the claim, and the next try delivers', async () => {
    const a = service();
    const result = await sim.finishTask(FIXTURE.taskReloadFinance, { outcome: 'fail' });
    sim.qrsFault({ method: 'GET', path: `/qrs/app/${FIXTURE.appFinance}`, status: 500, times: 1 });
    await assert.rejects(a.processId(result.id), /answered 500/);
    assert.equal(deliveredFor(result.id).length, 0);
    await a.processId(result.id);
    assert.equal(deliveredFor(result.id).length, 1);
  });
});
