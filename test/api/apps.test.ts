/**
 * App reload, dump and list through the Engine simulator over mTLS WebSockets.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { assertSenseIdentity, startSenseEnv, type SenseEnv } from '../helpers/sense-env';
import { FIXTURE } from '../sensesim/fixtures';

interface ReloadJson {
  appId: string;
  reloadId: string;
  status: string;
  saved: boolean;
  statusUrl?: string;
  tasksStarted: { taskId: string; taskName: string; executionId: string }[];
  tasksFailed: { taskId: string; statusCode: number; message: string }[];
}

let env: SenseEnv;

before(async () => {
  env = await startSenseEnv({
    // Far longer than any simulated reload, however loaded the machine: a reload longer than
    // sense.reloadWaitMs (202) is covered in apps-reload-wait.test.ts with a held DoReload.
    sense: { reloadWaitMs: 600_000 },
    config: {
      api: {
        startTaskFilter: {
          enable: true,
          allowTask: {
            taskId: [FIXTURE.taskReloadSales, FIXTURE.taskReloadFinance],
            tag: [],
            customProperty: [],
          },
        },
      },
    },
  });
});
after(async () => {
  await env?.close();
});
beforeEach(() => env.sim.resetJournal());
afterEach(() => {
  env.sim.clearFaults();
  assertSenseIdentity(env.sim);
});

function engineMethods(): string[] {
  return env.sim.engineCalls.map((c) => c.method);
}

function reload(appId: string, body: unknown) {
  return env.api.call(`/v4/app/${appId}/reload`, {
    method: 'POST',
    headers: { 'x-http-method-override': 'PUT' },
    body: JSON.stringify(body),
  });
}

describe('app reload', () => {
  test('succeeds: OpenDoc → DoReload → DoSave, then the success tasks start; answered when done', async () => {
    const res = await reload(FIXTURE.appSales, {
      partialReload: 'true',
      reloadMode: 1,
      startQSEoWTaskOnSuccess: [FIXTURE.taskReloadFinance],
      startQSEoWTaskOnFailure: [FIXTURE.taskReloadSales],
    });
    assert.equal(res.status, 201, res.text);
    const json = res.json as ReloadJson;
    assert.equal(json.appId, FIXTURE.appSales);
    assert.equal(json.status, 'succeeded');
    assert.equal(json.saved, true);
    assert.deepEqual(
      json.tasksStarted.map((t) => t.taskId),
      [FIXTURE.taskReloadFinance],
    );
    const methods = engineMethods();
    for (const m of ['OpenDoc', 'DoReload', 'DoSave']) assert.ok(methods.includes(m), methods.join(','));
    assert.ok(methods.indexOf('DoReload') < methods.indexOf('DoSave'));
    const doReload = env.sim.engineCalls.find((c) => c.method === 'DoReload');
    assert.deepEqual(doReload?.params, [1, true]);
    assert.equal(doReload?.peerCN, 'QlikClient');
    assert.equal(env.sim.engineConnections.at(-1)?.path, `/app/${FIXTURE.appSales}`);
    assert.deepEqual(env.sim.engineConnections.at(-1)?.user, { directory: 'INTERNAL', id: 'sa_repository' });
    const starts = env.sim.qrsCalls.filter((c) => c.path.endsWith('/start/synchronous')).map((c) => c.path);
    assert.deepEqual(starts, [`/qrs/task/${FIXTURE.taskReloadFinance}/start/synchronous`]);
  });

  test('a failed reload is 201 status failed, not saved, and starts the failure tasks', async () => {
    const res = await reload(FIXTURE.appBroken, {
      startQSEoWTaskOnSuccess: [FIXTURE.taskReloadFinance],
      startQSEoWTaskOnFailure: [FIXTURE.taskReloadSales],
    });
    assert.equal(res.status, 201);
    const json = res.json as ReloadJson;
    assert.equal(json.status, 'failed');
    assert.equal(json.saved, false);
    assert.deepEqual(
      json.tasksStarted.map((t) => t.taskId),
      [FIXTURE.taskReloadSales],
    );
    assert.equal(engineMethods().includes('DoSave'), false);
  });

  test('a reload that ran but could not be saved says so, and still counts as succeeded', async () => {
    env.sim.engineFault({ method: 'DoSave', error: { code: 5, message: 'Access denied' } });
    const res = await reload(FIXTURE.appSales, { startQSEoWTaskOnSuccess: [FIXTURE.taskReloadFinance] });
    assert.equal(res.status, 201);
    const json = res.json as ReloadJson & { saveError?: string };
    assert.equal(json.status, 'succeeded');
    assert.equal(json.saved, false);
    assert.match(json.saveError ?? '', /Access denied|5/);
    assert.deepEqual(
      json.tasksStarted.map((t) => t.taskId),
      [FIXTURE.taskReloadFinance],
    );
  });

  test('follow-up tasks outside the start filter or malformed are refused, not started', async () => {
    const res = await reload(FIXTURE.appSales, { startQSEoWTaskOnSuccess: [FIXTURE.taskReloadHr, 'nope'] });
    assert.equal(res.status, 201);
    const json = res.json as ReloadJson;
    assert.deepEqual(json.tasksStarted, []);
    assert.deepEqual(json.tasksFailed.map((f) => f.statusCode).sort(), [400, 403]);
    assert.equal(
      env.sim.qrsCalls.some((c) => c.path.endsWith('/start/synchronous')),
      false,
    );
  });

  test('an unknown app is 404 APP_NOT_FOUND', async () => {
    const res = await reload(FIXTURE.appUnknown, {});
    assert.equal(res.status, 404);
    assert.equal((res.json as { code: string }).code, 'APP_NOT_FOUND');
  });

  test('an engine error on DoReload is 502 SENSE_ERROR with the engine code', async () => {
    env.sim.engineFault({ method: 'DoReload', error: { code: 11000, message: 'Reload in progress' } });
    const res = await reload(FIXTURE.appSales, {});
    assert.equal(res.status, 502);
    const json = res.json as { code: string; message: string };
    assert.equal(json.code, 'SENSE_ERROR');
    assert.match(json.message, /11000/);
  });

  test('bad input: non-GUID app id, non-integer mode, unknown reload id', async () => {
    const badId = await reload('not-an-app', {});
    assert.equal(badId.status, 400);
    assert.match((badId.json as { message: string }).message, /appId/);
    const badMode = await reload(FIXTURE.appSales, { reloadMode: 'fast' });
    assert.equal(badMode.status, 400);
    assert.match((badMode.json as { message: string }).message, /reloadMode/);
    const unknown = await env.api.call(`/v4/app/${FIXTURE.appSales}/reload/${FIXTURE.taskUnknown}`);
    assert.equal(unknown.status, 404);
    assert.equal((unknown.json as { code: string }).code, 'RELOAD_NOT_FOUND');
  });
});

describe('app dump and list', () => {
  test('dump has Butler keys in order and lineage as an array; both paths agree', async () => {
    const res = await env.api.call(`/v4/app/${FIXTURE.appSales}/dump`);
    assert.equal(res.status, 200, res.text);
    const dump = res.json as Record<string, unknown>;
    assert.deepEqual(Object.keys(dump), [
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
    ]);
    assert.ok(Array.isArray(dump.lineage));
    assert.equal(typeof dump.loadScript, 'string');
    assert.equal(dump.appId, FIXTURE.appSales);
    const openDoc = env.sim.engineCalls.find((c) => c.method === 'OpenDoc');
    assert.deepEqual((openDoc?.params as unknown[])[4], true, 'opened without data');
    const other = await env.api.call(`/v4/senseappdump/${FIXTURE.appSales}`);
    assert.deepEqual(other.json, dump);
  });

  test('dump of an unknown app is 404', async () => {
    const res = await env.api.call(`/v4/senseappdump/${FIXTURE.appUnknown}`);
    assert.equal(res.status, 404);
    assert.equal((res.json as { code: string }).code, 'APP_NOT_FOUND');
  });

  test('list returns id and name of every app; both paths agree', async () => {
    const res = await env.api.call('/v4/apps/list');
    assert.equal(res.status, 200);
    const apps = res.json as { id: string; name: string }[];
    assert.ok(apps.some((a) => a.id === FIXTURE.appSales && a.name === 'Sales'));
    for (const app of apps) assert.deepEqual(Object.keys(app), ['id', 'name']);
    assert.deepEqual((await env.api.call('/v4/senselistapps')).json, apps);
  });
});
