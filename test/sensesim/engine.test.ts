import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { promises as fs, readFileSync } from 'node:fs';
import https from 'node:https';
import { after, before, describe, test } from 'node:test';
import type { Agent } from 'undici';
import { createTestPki } from '../helpers/pki';
import { FIXTURE, SenseSim } from './index';
import type { TestPki } from './index';
import { RpcClient, makeAgent } from './test-clients';

let pki: TestPki;
let sim: SenseSim;
let agent: Agent;
const open: RpcClient[] = [];

async function connect(
  path = '/',
  headers: Record<string, string> = {},
  on: SenseSim = sim,
): Promise<RpcClient> {
  const client = await RpcClient.open(on, agent, path, headers);
  open.push(client);
  return client;
}

/** Status line of an upgrade attempt made with plain node:https (101 when accepted). */
function upgradeStatus(path: string, headers: Record<string, string>, on: SenseSim): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = https.request({
      host: on.host,
      port: on.enginePort,
      path,
      agent: false,
      servername: 'localhost',
      ca: readFileSync(pki.caCert),
      cert: readFileSync(pki.clientCert),
      key: readFileSync(pki.clientKey),
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': randomBytes(16).toString('base64'),
        ...headers,
      },
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('upgrade', (_res, socket) => {
      socket.destroy();
      resolve(101);
    });
    req.on('error', reject);
    req.end();
  });
}

before(async () => {
  pki = await createTestPki();
  sim = await SenseSim.start({ pki });
  agent = makeAgent(pki);
});

after(async () => {
  await Promise.all(open.map((c) => c.close()));
  await agent.close();
  await sim.close();
  await fs.rm(pki.dir, { recursive: true, force: true });
});

describe('engine connection', { timeout: 20_000 }, () => {
  test('OnConnected arrives first; the connection is journaled with path, CN and user', async () => {
    const before = sim.engineConnections.length;
    const client = await connect('/app/engineData', {
      'x-qlik-user': 'UserDirectory=CORP;UserId=j%C3%BCrgen',
    });
    assert.ok(client);
    assert.deepEqual(sim.engineConnections.slice(before), [
      { path: '/app/engineData', peerCN: 'QlikClient', user: { directory: 'CORP', id: 'jürgen' } },
    ]);
  });

  test('global methods: EngineVersion, ProductVersion, GetDocList', async () => {
    const client = await connect();
    const version = await client.ok('EngineVersion');
    assert.match((version.qVersion as { qComponentVersion: string }).qComponentVersion, /^\d+\.\d+\.\d+$/);
    assert.equal(typeof (await client.ok('ProductVersion')).qReturn, 'string');
    const docs = (await client.ok('GetDocList')).qDocList as { qDocId: string; qDocName: string }[];
    const byId = new Map(docs.map((d) => [d.qDocId, d.qDocName]));
    assert.equal(byId.get(FIXTURE.appSales), 'Sales');
    assert.equal(byId.get(FIXTURE.appHr), 'HR Ünïcødé');
    assert.equal(docs.length, sim.fixtures.apps.length);
  });

  test('OpenDoc of an unknown app is error 1003', async () => {
    const client = await connect(`/app/${FIXTURE.appUnknown}`);
    const msg = await client.call('OpenDoc', [FIXTURE.appUnknown, '', '', '', false]);
    assert.deepEqual(msg.error, { code: 1003, parameter: FIXTURE.appUnknown, message: 'App not found' });
  });

  test('unknown method is -32601, a method of another handle type too, an unknown handle -32602', async () => {
    const client = await connect();
    assert.deepEqual((await client.call('Bogus')).error, {
      code: -32601,
      parameter: 'Bogus',
      message: 'JSON-RPC method not found',
    });
    assert.equal((await client.call('GetScript', [], -1)).error?.code, -32601);
    assert.equal((await client.call('GetScript', [], 42)).error?.code, -32602);
  });

  test('a malformed frame is answered with a parse error, and the socket keeps working', async () => {
    const client = await connect();
    const answer = (await client.sendRaw('{not json', null)) as { error: { code: number } };
    assert.equal(answer.error.code, -32700);
    assert.ok((await client.ok('EngineVersion')).qVersion);
  });

  test('strictUser refuses an upgrade without X-Qlik-User with 403, accepts one with it', async () => {
    const strict = await SenseSim.start({ pki, strictUser: true });
    try {
      assert.equal(await upgradeStatus('/app/engineData', {}, strict), 403);
      await assert.rejects(RpcClient.open(strict, agent, '/', { 'x-qlik-user': '' }));
      assert.equal(
        await upgradeStatus('/app/engineData', { 'x-qlik-user': 'UserDirectory=X;UserId=y' }, strict),
        101,
      );
      assert.equal(strict.engineConnections.length, 1);
    } finally {
      await strict.close();
    }
  });

  test('unknown paths are refused; /identity and /ttl suffixes are ignored', async () => {
    assert.equal(await upgradeStatus('/qrs/app', {}, sim), 404);
    assert.equal(await upgradeStatus(`/app/${FIXTURE.appSales}/identity/abc/ttl/60`, {}, sim), 101);
  });

  test('a rogue client certificate cannot connect', async () => {
    const rogue = makeAgent(pki, 'rogue');
    const before = sim.engineConnections.length;
    try {
      await assert.rejects(RpcClient.open(sim, rogue, '/'));
    } finally {
      await rogue.close();
    }
    assert.equal(sim.engineConnections.length, before);
  });
});

describe('engine documents and handles', { timeout: 20_000 }, () => {
  test('handle table: Doc is 1, later objects count up; named params work', async () => {
    const client = await connect('/app/engineData');
    const doc = await client.ok('OpenDoc', { qDocName: FIXTURE.appSales, qNoData: true });
    assert.deepEqual(doc.qReturn, { qType: 'Doc', qHandle: 1, qGenericId: FIXTURE.appSales });
    const sheet = await client.ok('GetObject', { qId: 'sales-sheet-overview' }, 1);
    assert.deepEqual(sheet.qReturn, {
      qType: 'GenericObject',
      qHandle: 2,
      qGenericType: 'sheet',
      qGenericId: 'sales-sheet-overview',
    });
    const dim = await client.ok('GetDimension', ['sales-dim-region'], 1);
    assert.equal((dim.qReturn as { qHandle: number; qType: string }).qHandle, 3);
    assert.equal((dim.qReturn as { qType: string }).qType, 'GenericDimension');
    assert.equal((await client.call('GetObject', ['no-such-object'], 1)).error?.code, 2);
    const calls = sim.engineCalls.filter((c) => c.method === 'GetObject' && c.handle === 1);
    assert.deepEqual(calls[0], {
      path: '/app/engineData',
      method: 'GetObject',
      handle: 1,
      params: { qId: 'sales-sheet-overview' },
      peerCN: 'QlikClient',
    });
  });

  test('DoReload: true updates lastReloadTime; false and error codes come from the app', async () => {
    const app = sim.fixtures.apps.find((a) => a.id === FIXTURE.appFinance);
    assert.ok(app);
    const previous = app.lastReloadTime;
    const client = await connect(`/app/${FIXTURE.appFinance}`);
    const doc = await client.handle('OpenDoc', [FIXTURE.appFinance, '', '', '', false], -1);
    assert.deepEqual(await client.ok('DoReload', [0, false], doc), { qReturn: true });
    assert.notEqual(app.lastReloadTime, previous);
    assert.ok(Date.now() - Date.parse(app.lastReloadTime) < 5000);
    assert.deepEqual(await client.ok('DoSave', [], doc), {});

    app.reloadOutcome = { errorCode: 11000 };
    try {
      const failed = await client.call('DoReload', { qMode: 0, qPartial: false }, doc);
      assert.equal(failed.error?.code, 11000);
    } finally {
      delete app.reloadOutcome;
    }

    const broken = await connect(`/app/${FIXTURE.appBroken}`);
    const brokenDoc = await broken.handle('OpenDoc', [FIXTURE.appBroken], -1);
    assert.deepEqual(await broken.ok('DoReload', [0, false], brokenDoc), { qReturn: false });
    const ex = await broken.ok('DoReloadEx', [{ qMode: 0 }], brokenDoc);
    assert.equal((ex.qResult as { qSuccess: boolean }).qSuccess, false);
  });

  test('reloadDelayMs delays DoReload without blocking other calls on the socket', async () => {
    const app = sim.fixtures.apps.find((a) => a.id === FIXTURE.appHr);
    assert.ok(app);
    app.reloadDelayMs = 300;
    try {
      const client = await connect(`/app/${FIXTURE.appHr}`);
      const doc = await client.handle('OpenDoc', [FIXTURE.appHr], -1);
      const order: string[] = [];
      const t0 = Date.now();
      const reload = client.call('DoReload', [0, false], doc).then(() => order.push('DoReload'));
      await client.ok('GetScript', [], doc).then(() => order.push('GetScript'));
      await reload;
      assert.deepEqual(order, ['GetScript', 'DoReload']);
      assert.ok(Date.now() - t0 >= 280);
    } finally {
      delete app.reloadDelayMs;
    }
  });

  test('doc content: script, properties, lineage, connections', async () => {
    const client = await connect('/app/engineData');
    const doc = await client.handle('OpenDoc', [FIXTURE.appSales, '', '', '', true], -1);
    assert.match((await client.ok('GetScript', [], doc)).qScript as string, /LOAD \* FROM/);
    assert.equal(
      ((await client.ok('GetAppProperties', [], doc)).qProp as { qTitle: string }).qTitle,
      'Sales',
    );
    const lineage = (await client.ok('GetLineage', [], doc)).qLineage as { qDiscriminator: string }[];
    assert.ok(Array.isArray(lineage) && lineage.length > 0);
    const conns = (await client.ok('GetConnections', [], doc)).qConnections as { qId: string }[];
    const first = conns[0];
    assert.ok(first);
    const one = await client.ok('GetConnection', [first.qId], doc);
    assert.equal((one.qConnection as { qName: string }).qName, 'DataFiles');
  });

  test('session lists feed every app-dump section', async () => {
    const client = await connect('/app/engineData');
    const doc = await client.handle('OpenDoc', [FIXTURE.appSales, '', '', '', true], -1);
    const layoutOf = async (qProp: Record<string, unknown>) => {
      const h = await client.handle('CreateSessionObject', [{ qInfo: { qType: 'DumpList' }, ...qProp }], doc);
      return (await client.ok('GetLayout', [], h)).qLayout as Record<
        string,
        { qItems: Record<string, unknown>[] }
      >;
    };
    const sheets = await layoutOf({ qAppObjectListDef: { qType: 'sheet', qData: { id: '/qInfo/qId' } } });
    assert.deepEqual(
      sheets.qAppObjectList?.qItems.map((i) => i.qData),
      [{ id: 'sales-sheet-overview' }, { id: 'sales-sheet-details' }],
    );
    const sheet = await client.handle('GetObject', ['sales-sheet-overview'], doc);
    const tree = (await client.ok('GetFullPropertyTree', [], sheet)).qPropEntry as Record<string, unknown>;
    assert.equal((tree.qChildren as unknown[]).length, 1);
    assert.equal(tree.qEmbeddedSnapshotRef, null);
    assert.deepEqual((tree.qProperty as { qInfo: unknown }).qInfo, {
      qId: 'sales-sheet-overview',
      qType: 'sheet',
    });

    const lists: [Record<string, unknown>, string, number][] = [
      [{ qAppObjectListDef: { qType: 'story' } }, 'qAppObjectList', 1],
      [{ qAppObjectListDef: { qType: 'masterobject' } }, 'qAppObjectList', 1],
      [{ qAppObjectListDef: { qType: 'appprops' } }, 'qAppObjectList', 1],
      [{ qDimensionListDef: { qType: 'dimension' } }, 'qDimensionList', 1],
      [{ qMeasureListDef: { qType: 'measure' } }, 'qMeasureList', 1],
      [{ qBookmarkListDef: { qType: 'bookmark' } }, 'qBookmarkList', 1],
      [{ qBookmarkListDef: { qType: 'snapshot' } }, 'qBookmarkList', 1],
      [{ qMediaListDef: {} }, 'qMediaList', 2],
      [{ qFieldListDef: { qShowSystem: true, qShowSrcTables: true } }, 'qFieldList', 3],
      [{ qFieldListDef: {} }, 'qFieldList', 2],
      [
        { qVariableListDef: { qType: 'variable', qShowReserved: true, qShowConfig: true } },
        'qVariableList',
        4,
      ],
      [{ qVariableListDef: { qType: 'variable' } }, 'qVariableList', 2],
    ];
    for (const [def, key, count] of lists) {
      const layout = await layoutOf(def);
      assert.equal(layout[key]?.qItems.length, count, `${JSON.stringify(def)} → ${key}`);
    }

    const getters: [string, string, string][] = [
      ['GetMeasure', 'sales-measure-amount', 'qMeasure'],
      ['GetBookmark', 'sales-bookmark-emea', 'qBookmark'],
      ['GetBookmark', 'sales-snapshot-1', 'visualization'],
      ['GetVariableById', 'sales-var-currency', 'qDefinition'],
    ];
    for (const [method, id, key] of getters) {
      const h = await client.handle(method, [id], doc);
      const prop = (await client.ok('GetProperties', [], h)).qProp as Record<string, unknown>;
      assert.ok(key in prop, `${method}(${id}).GetProperties has ${key}`);
    }
  });
});

describe('engine faults and close', { timeout: 20_000 }, () => {
  test('an error fault can be scoped to one app and limited by times', async () => {
    sim.engineFault({
      method: 'DoReload',
      appId: FIXTURE.appSales,
      error: { code: 11000, message: 'Busy' },
      times: 1,
    });
    try {
      const other = await connect(`/app/${FIXTURE.appFinance}`);
      const otherDoc = await other.handle('OpenDoc', [FIXTURE.appFinance], -1);
      assert.deepEqual(await other.ok('DoReload', [], otherDoc), { qReturn: true });

      const client = await connect(`/app/${FIXTURE.appSales}`);
      const doc = await client.handle('OpenDoc', [FIXTURE.appSales], -1);
      assert.deepEqual((await client.call('DoReload', [], doc)).error, {
        code: 11000,
        parameter: '',
        message: 'Busy',
      });
      assert.deepEqual(await client.ok('DoReload', [], doc), { qReturn: true });
    } finally {
      sim.clearFaults();
    }
  });

  test('an OpenDoc fault matches the requested app id', async () => {
    sim.engineFault({
      method: 'OpenDoc',
      appId: FIXTURE.appHr,
      error: { code: 5, message: 'Access denied' },
    });
    try {
      const client = await connect('/app/engineData');
      assert.equal((await client.call('OpenDoc', [FIXTURE.appHr])).error?.code, 5);
    } finally {
      sim.clearFaults();
    }
  });

  test('a closeSocket fault closes the socket mid-call', async () => {
    sim.engineFault({ method: 'GetScript', closeSocket: true, delayMs: 50, times: 1 });
    const client = await connect('/app/engineData');
    const doc = await client.handle('OpenDoc', [FIXTURE.appSales], -1);
    await assert.rejects(client.call('GetScript', [], doc), /socket closed/);
    assert.notEqual(await client.closed, 1000);
  });

  test('close() ends open WebSockets', async () => {
    const own = await SenseSim.start({ pki });
    const client = await RpcClient.open(own, agent, '/');
    await own.close();
    assert.equal(typeof (await client.closed), 'number');
    await assert.rejects(RpcClient.open(own, agent, '/'));
  });
});
