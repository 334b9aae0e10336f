/** Engine (QIX) flows against the simulator over WSS with mutual TLS. */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { after, before, beforeEach, describe, it } from 'node:test';
import { dumpApp, listApps, reloadApp } from '../../shared/sense/apps';
import { SenseClient } from '../../shared/sense/client';
import { EngineError, returnedHandle } from '../../shared/sense/engine';
import type { SenseError } from '../../shared/sense/errors';
import { createTestPki, type TestPki } from '../helpers/pki';
import { FIXTURE, SenseSim } from '../sensesim';
import { gate } from '../sensesim/faults';
import { senseConfig } from './setup';

const DUMP_KEYS = [
  'properties',
  'loadScript',
  'lineage',
  'sheets',
  'stories',
  'masterobjects',
  'appprops',
  'dataconnections',
  'dimensions',
  'measures',
  'bookmarks',
  'embeddedmedia',
  'snapshots',
  'fields',
  'variables',
  'appId',
];

/** Rejects if `promise` does not settle within `ms`: keeps waits on events bounded. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, limit]);
  } finally {
    clearTimeout(timer);
  }
}

describe('Engine flows against the simulator', () => {
  let pki: TestPki;
  let sim: SenseSim;
  let client: SenseClient;

  before(async () => {
    pki = await createTestPki();
    sim = await SenseSim.start({ pki, strictUser: true });
    client = new SenseClient(senseConfig(pki, sim));
  });
  after(async () => {
    await client.close();
    await sim.close();
    await fs.rm(pki.dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    sim.clearFaults();
    sim.resetJournal();
  });

  it('lists apps on the Engine root with the client certificate and X-Qlik-User', async () => {
    const apps = await listApps(client);
    assert.deepEqual(
      apps.find((a) => a.id === FIXTURE.appHr),
      { id: FIXTURE.appHr, name: 'HR Ünïcødé' },
    );
    assert.equal(apps.length, sim.fixtures.apps.length);
    assert.deepEqual(sim.engineConnections, [
      { path: '/', peerCN: 'QlikClient', user: { directory: 'INTERNAL', id: 'sa_repository' } },
    ]);
    assert.deepEqual(
      sim.engineCalls.map((c) => c.method),
      ['GetDocList'],
    );
  });

  it('dumps an app with every key in the documented order', async () => {
    const dump = await dumpApp(client, FIXTURE.appSales);
    assert.deepEqual(Object.keys(dump), DUMP_KEYS);
    assert.equal(dump.appId, FIXTURE.appSales);
    assert.match(String(dump.loadScript), /Sales\.qvd/);
    assert.equal((dump.properties as { qTitle: string }).qTitle, 'Sales');
    assert.ok(Array.isArray(dump.lineage));
    assert.equal(
      (dump.lineage as { qDiscriminator: string }[])[0]?.qDiscriminator,
      'lib://DataFiles/Sales.qvd',
    );

    const sheets = dump.sheets as { qProperty: { qInfo: { qId: string } }; qChildren: unknown[] }[];
    assert.deepEqual(sheets.map((s) => s.qProperty.qInfo.qId).sort(), [
      'sales-sheet-details',
      'sales-sheet-overview',
    ]);
    for (const key of [
      'stories',
      'masterobjects',
      'appprops',
      'dimensions',
      'measures',
      'bookmarks',
      'snapshots',
    ]) {
      assert.equal((dump[key] as unknown[]).length, 1, key);
    }
    const dimension = (dump.dimensions as { qDim: { qFieldDefs: string[] } }[])[0];
    assert.deepEqual(dimension?.qDim.qFieldDefs, ['Region']);
    const bookmark = (dump.bookmarks as { qData: { qBookMark: unknown } }[])[0];
    assert.ok(bookmark?.qData.qBookMark !== undefined, 'bookmark carries its selection state');
    assert.deepEqual(
      (dump.embeddedmedia as { qUrlDef: string }[]).map((m) => m.qUrlDef),
      ['/media/Logo.png'],
    );
    assert.ok(
      (dump.fields as { qName: string }[]).some((f) => f.qName === '$Table'),
      'system fields included',
    );
    const variables = dump.variables as { qName: string; qIsReserved: boolean; qIsConfig: boolean }[];
    assert.equal(variables.length, 4);
    assert.equal(variables.find((v) => v.qName === 'CollationLocale')?.qIsConfig, true);
    assert.equal(variables.find((v) => v.qName === 'vCurrency')?.qIsReserved, false);
    assert.equal((dump.dataconnections as { qId: string }[])[0]?.qId, 'sales-conn-data');

    assert.equal(sim.engineConnections[0]?.path, '/app/engineData');
    const openDoc = sim.engineCalls.find((c) => c.method === 'OpenDoc');
    assert.deepEqual(openDoc?.params, [FIXTURE.appSales, '', '', '', true]);
    assert.ok(!sim.engineCalls.some((c) => c.method === 'DoReload' || c.method === 'DoSave'));
  });

  it('omits lineage when GetLineage fails, keeping the rest', async () => {
    sim.engineFault({ method: 'GetLineage', error: { code: 5, message: 'Access denied' } });
    const dump = await dumpApp(client, FIXTURE.appFinance);
    assert.deepEqual(
      Object.keys(dump),
      DUMP_KEYS.filter((k) => k !== 'lineage'),
    );
  });

  it('dump of an unknown app → 404 APP_NOT_FOUND', async () => {
    await assert.rejects(dumpApp(client, FIXTURE.appUnknown), (err: SenseError) => {
      assert.equal(err.code, 'APP_NOT_FOUND');
      assert.equal(err.statusCode, 404);
      assert.ok(err.message.includes(FIXTURE.appUnknown));
      return true;
    });
  });

  it('reloads with data, the requested mode, then saves', async () => {
    assert.deepEqual(await reloadApp(client, FIXTURE.appSales, { mode: 1, partial: true }), {
      success: true,
      saved: true,
    });
    assert.equal(sim.engineConnections[0]?.path, `/app/${FIXTURE.appSales}`);
    assert.deepEqual(
      sim.engineCalls.map((c) => [c.method, c.params]),
      [
        ['OpenDoc', [FIXTURE.appSales, '', '', '', false]],
        ['DoReload', [1, true]],
        ['DoSave', []],
      ],
    );
  });

  it('a failed reload is not saved', async () => {
    assert.deepEqual(await reloadApp(client, FIXTURE.appBroken, { mode: 0, partial: false }), {
      success: false,
      saved: false,
    });
    assert.ok(!sim.engineCalls.some((c) => c.method === 'DoSave'));
  });

  it('a failed save keeps the reload a success and says why', async () => {
    sim.engineFault({ method: 'DoSave', error: { code: 5, message: 'Access denied' } });
    const outcome = await reloadApp(client, FIXTURE.appSales, { mode: 0, partial: false });
    assert.equal(outcome.success, true);
    assert.equal(outcome.saved, false);
    assert.match(outcome.saveError ?? '', /error 5 in DoSave: Access denied/);
  });

  it('reload of an unknown app → 404; reload in progress (11000) → 502', async () => {
    await assert.rejects(reloadApp(client, FIXTURE.appUnknown, { mode: 0, partial: false }), {
      statusCode: 404,
    });
    sim.engineFault({ method: 'DoReload', error: { code: 11000, message: 'Reload in progress' } });
    await assert.rejects(
      reloadApp(client, FIXTURE.appSales, { mode: 0, partial: false }),
      (err: SenseError) => {
        assert.equal(err.code, 'SENSE_ERROR');
        assert.equal(err.statusCode, 502);
        assert.match(err.message, /11000 in DoReload: Reload in progress/);
        return true;
      },
    );
  });

  it('socket closed mid-call → 502', async () => {
    sim.engineFault({ method: 'DoReload', closeSocket: true });
    await assert.rejects(
      reloadApp(client, FIXTURE.appSales, { mode: 0, partial: false }),
      (err: SenseError) => {
        assert.equal(err.code, 'SENSE_ERROR');
        assert.match(err.message, /closed the connection \(code 1006\) during DoReload/);
        return true;
      },
    );
  });

  it('a slow Engine → 504, and the client still works afterwards', async () => {
    const held = gate();
    sim.engineFault({ method: 'GetDocList', until: held.until, times: 1 });
    await assert.rejects(listApps(client), (err: SenseError) => {
      assert.equal(err.code, 'UPSTREAM_TIMEOUT');
      assert.match(err.message, /did not answer GetDocList within 1000 ms/);
      return true;
    });
    held.release();
    assert.ok((await listApps(client)).length > 0);
  });

  it('a reload longer than sense.timeoutMs is not cut off', async () => {
    const app = sim.fixtures.apps.find((a) => a.id === FIXTURE.appFinance)!;
    app.reloadDelayMs = 1300;
    try {
      assert.deepEqual(await reloadApp(client, FIXTURE.appFinance, { mode: 0, partial: false }), {
        success: true,
        saved: true,
      });
    } finally {
      delete app.reloadDelayMs;
    }
  });

  it('EngineSession: JSON-RPC errors, handle tracking, close rejects pending calls', async () => {
    const session = await client.openEngine(`/app/${FIXTURE.appHr}`);
    await assert.rejects(session.call(-1, 'NoSuchMethod'), (err: EngineError) => {
      assert.ok(err instanceof EngineError);
      assert.equal(err.code, -32601);
      assert.equal(err.parameter, 'NoSuchMethod');
      return true;
    });
    const doc = returnedHandle(await session.call(-1, 'OpenDoc', { qDocName: FIXTURE.appHr }), 'OpenDoc');
    assert.equal(session.openHandles.get(doc), 'Doc');
    const held = gate();
    sim.engineFault({ method: 'GetScript', until: held.until });
    const pending = assert.rejects(session.call(doc, 'GetScript'), {
      code: 'SENSE_ERROR',
      message: /closed by Butler during GetScript/,
    });
    await session.close();
    await pending;
    held.release();
    assert.equal(session.isClosed, true);
    await assert.rejects(session.call(-1, 'EngineVersion'), /is closed/);
  });
});

describe('Engine session lifetime', () => {
  let pki: TestPki;
  let sim: SenseSim;

  before(async () => {
    pki = await createTestPki();
    sim = await SenseSim.start({ pki });
  });
  after(async () => {
    await sim.close();
    await fs.rm(pki.dir, { recursive: true, force: true });
  });

  it('closes an idle session by itself', async () => {
    const client = new SenseClient(senseConfig(pki, sim), { engineIdleMs: 150 });
    try {
      const session = await client.openEngine('/');
      await session.call(-1, 'EngineVersion');
      await within(session.whenClosed(), 30_000, 'idle close');
      assert.equal(session.isClosed, true);
    } finally {
      await client.close();
    }
  });

  it('client.close() closes open sessions and fails their pending calls', async () => {
    const client = new SenseClient(senseConfig(pki, sim));
    // DoReload is held until the end: the reload can only fail if close() does not wait for it.
    const held = gate();
    sim.engineFault({ method: 'DoReload', until: held.until, times: 1 });
    try {
      const reload = assert.rejects(reloadApp(client, FIXTURE.appSales, { mode: 0, partial: false }), {
        code: 'SENSE_ERROR',
        message: /during DoReload/,
      });
      await sim.engineCallSeen((call) => call.method === 'DoReload');
      await client.close();
      await reload;
    } finally {
      held.release();
      sim.clearFaults();
    }
  });
});
