/**
 * scripts/butler-functions.qvs against the embedded host: every subroutine is run by a small Qlik
 * script interpreter (test/scripts/qlik-script.ts), and the request it makes is sent exactly as the
 * REST connector sends it (GET for Butler_GET, POST for Butler_POST, the sub's headers and body).
 *
 * Endpoints from branches not merged into this one (key-value store, file operations, MQTT, Slack)
 * answer the host's empty 404 here: such a call is marked "pending" (printed as a diagnostic) and
 * passes. Once the endpoint is served, the same test asserts its real status — nothing to switch on.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import { request } from 'undici';
import { PROJECT_ROOT } from '../helpers/product-host';
import { startSenseEnv, type SenseEnv } from '../helpers/sense-env';
import { FIXTURE } from '../sensesim/fixtures';
import { QlikScript, type ConnectorRequest, type Tables } from './qlik-script';

const QVS = path.join(PROJECT_ROOT, 'scripts', 'butler-functions.qvs');

/** Butler's butler_subs.qvs: names and parameters the file must keep. */
const BUTLER_SUBS: Record<string, string[]> = {
  NiceTrace: ['vMsg'],
  ButlerInit: [],
  GetEnabledButlerAPIEndpoints: ['vResultTable'],
  ReloadSenseApp: [
    'vAppId',
    'vPartialReload',
    'vReloadMode',
    'vStartQSEoWTaskOnSuccess',
    'vStartQSEoWTaskOnFailure',
  ],
  StartTask: ['vTaskId', 'vTaskIdTable', 'vTagTable', 'vCustomPropertyTable', 'vKeyValueStoreTable'],
  StartTask_KeyValue: ['vTaskId', 'vNamespace', 'vKey', 'vValue', 'vTTL'],
  CopyFile: ['vSource', 'vDest', 'vOverwrite', 'vPreserveTimestamp'],
  MoveFile: ['vSource', 'vDest', 'vOverwrite'],
  DeleteFile: ['vFile'],
  CreateDir: ['vDir'],
  CreateDirQVD: ['vDir'],
  AddKeyValue: ['vNamespace', 'vKey', 'vValue', 'vTimeToLive'],
  GetKeyValue: ['vNamespace', 'vKey', 'vResultVarName'],
  DeleteKeyValue: ['vNamespace', 'vKey'],
  ExistsKeyValue: ['vNamespace', 'vKey', 'vResultVarName'],
  DeleteKeyValueNamespace: ['vNamespace'],
  GetKeyValueNamespaces: ['vResultTableName'],
  GetAllKeysInNamespace: ['vResultTable', 'vNamespace'],
  PostToMQTT: ['vTopic', 'vMessage'],
  PostToSlack: ['vToSlackChannel', 'vFromUser', 'vMessage', 'vEmoji'],
};

/** Where the endpoint comes from when it is not on this branch. */
const PENDING_ON: Record<string, string> = {
  CopyFile: 'fileops',
  MoveFile: 'fileops',
  DeleteFile: 'fileops',
  CreateDir: 'fileops',
  CreateDirQVD: 'fileops',
  AddKeyValue: 'state',
  GetKeyValue: 'state',
  DeleteKeyValue: 'state',
  ExistsKeyValue: 'state',
  DeleteKeyValueNamespace: 'state',
  GetKeyValueNamespaces: 'state',
  GetAllKeysInNamespace: 'state',
  PostToMQTT: 'mqtt',
  PostToSlack: 'mqtt',
};

let script: QlikScript;
let env: SenseEnv;
let dir: string;
let slack: Server;
const slackPosts: unknown[] = [];
let vars: Record<string, string>;

before(async () => {
  script = new QlikScript(await readFile(QVS, 'utf8'));
  dir = await mkdtemp(path.join(os.tmpdir(), 'butler-qvs-'));
  for (const sub of ['from', 'to', 'qvd', 'made']) await mkdir(path.join(dir, sub));
  slack = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      slackPosts.push(JSON.parse(text));
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => slack.listen(0, '127.0.0.1', resolve));
  const slackUrl = `http://127.0.0.1:${(slack.address() as AddressInfo).port}/services/T/B/x`;
  env = await startSenseEnv({
    config: {
      fileOps: {
        copy: [{ from: path.join(dir, 'from'), to: path.join(dir, 'to') }],
        move: [{ from: path.join(dir, 'from'), to: path.join(dir, 'to') }],
        delete: [path.join(dir, 'to')],
        createDir: [path.join(dir, 'made')],
        qvdRoot: path.join(dir, 'qvd'),
      },
      slack: { webhookUrl: slackUrl },
    },
  });
  const url = new URL(env.api.url);
  vars = {
    vButlerHost: `${url.protocol}//${url.hostname}`,
    vButlerPort: url.port,
    vButlerFunctionKey: env.api.key,
  };
});
after(async () => {
  await env?.close();
  await new Promise((resolve) => slack?.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

interface Sent {
  status: number;
  json: unknown;
  text: string;
}

/** The REST connector: GET or POST by connection, the sub's headers, its body. */
async function send(req: ConnectorRequest, extraHeaders: Record<string, string> = {}): Promise<Sent> {
  const method = { Butler_GET: 'GET', Butler_POST: 'POST' }[req.connection];
  assert.ok(method, `unknown connection ${req.connection}`);
  const headers: Record<string, string> = { ...extraHeaders };
  for (const [name, value] of req.headers) headers[name.toLowerCase()] = value;
  const res = await request(req.url, { method, headers, body: req.body });
  const text = await res.body.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, json, text };
}

/** Runs the sub, checks the request's common shape, sends it and checks the status (or marks it pending). */
async function callSub(
  t: TestContext,
  name: string,
  args: string[],
  expected: number,
  tables: Tables = {},
  extraHeaders: Record<string, string> = {},
): Promise<{ req: ConnectorRequest; res: Sent; pending: boolean }> {
  const requests = script.call(name, args, vars, tables);
  assert.equal(requests.length, 1, `${name} makes one call`);
  const req = requests[0]!;
  assert.ok(req.url.startsWith(`${vars.vButlerHost}:${vars.vButlerPort}/v4/`), req.url);
  assert.deepEqual(
    req.headers.filter(([h]) => h === 'x-functions-key'),
    [['x-functions-key', env.api.key]],
    `${name} sends the function key`,
  );
  const res = await send(req, extraHeaders);
  const branch = PENDING_ON[name];
  if (res.status === 404 && res.text === '' && branch) {
    t.diagnostic(
      `pending: ${name} -> ${new URL(req.url).pathname} is not served on this build (branch ${branch})`,
    );
    return { req, res, pending: true };
  }
  assert.equal(res.status, expected, `${name}: ${res.text}`);
  return { req, res, pending: false };
}

function override(req: ConnectorRequest): string | undefined {
  return req.headers.find(([h]) => h.toLowerCase() === 'x-http-method-override')?.[1];
}

test("every Butler subroutine is there with Butler's parameters", () => {
  assert.deepEqual(
    Object.fromEntries([...script.subs].map(([name, sub]) => [name, sub.params])),
    BUTLER_SUBS,
  );
});

test('NiceTrace and ButlerInit make no call', () => {
  assert.deepEqual(script.call('NiceTrace', ['hello'], vars), []);
  assert.deepEqual(script.call('ButlerInit', [], vars), []);
});

test('GetEnabledButlerAPIEndpoints', async (t) => {
  const { req, res } = await callSub(t, 'GetEnabledButlerAPIEndpoints', ['Endpoints'], 200);
  assert.equal(req.connection, 'Butler_GET');
  assert.ok((res.json as string[]).includes('senseStartTask'));
});

test('ReloadSenseApp: POST + PUT override, booleans and mode as the sub writes them', async (t) => {
  // As a script passes it: quotes doubled, because the list ends up inside the BODY "…" string.
  const onSuccess = `[""${FIXTURE.taskReloadFinance}""]`;
  const { req, res } = await callSub(
    t,
    'ReloadSenseApp',
    [FIXTURE.appSales, 'false', '0', onSuccess, '[]'],
    201,
  );
  assert.equal(override(req), 'PUT');
  assert.deepEqual(JSON.parse(req.body!), {
    partialReload: 'false',
    reloadMode: 0,
    startQSEoWTaskOnSuccess: [FIXTURE.taskReloadFinance],
    startQSEoWTaskOnFailure: [],
  });
  assert.equal((res.json as { appId: string }).appId, FIXTURE.appSales);
});

test("StartTask with '-' and no tables sends []", async (t) => {
  const { req, res } = await callSub(t, 'StartTask', ['-', '', '', '', ''], 200);
  assert.equal(req.body, '[]');
  assert.equal(override(req), 'PUT');
  assert.deepEqual((res.json as { tasksId: { started: unknown[] } }).tasksId.started, []);
});

test('StartTask with all four tables: items in table order, ttl as a string', async (t) => {
  const tables: Tables = {
    Ids: [{ 'Ids.TaskId': FIXTURE.taskReloadFinance }],
    Tags: [{ 'Tags.Tag': FIXTURE.tagNightly }],
    Cps: [{ 'Cps.Name': FIXTURE.cpTeam, 'Cps.Value': FIXTURE.cpValueFinance }],
    Kvs: [{ 'Kvs.Namespace': 'qvs start', 'Kvs.Key': 'run', 'Kvs.Value': '42', 'Kvs.TTL': '60000' }],
  };
  const { req, res } = await callSub(
    t,
    'StartTask',
    [FIXTURE.taskReloadSales, 'Ids', 'Tags', 'Cps', 'Kvs'],
    200,
    tables,
  );
  assert.deepEqual(JSON.parse(req.body!), [
    { type: 'starttaskid', payload: { taskId: FIXTURE.taskReloadFinance } },
    { type: 'starttasktag', payload: { tag: FIXTURE.tagNightly } },
    {
      type: 'starttaskcustomproperty',
      payload: { customPropertyName: FIXTURE.cpTeam, customPropertyValue: FIXTURE.cpValueFinance },
    },
    { type: 'keyvaluestore', payload: { namespace: 'qvs start', key: 'run', value: '42', ttl: '60000' } },
  ]);
  const report = res.json as { tasksId: { started: { taskId: string }[] }; tasksTag: unknown[] };
  assert.deepEqual(
    report.tasksId.started.map((s) => s.taskId).sort(),
    [FIXTURE.taskReloadSales, FIXTURE.taskReloadFinance].sort(),
  );
  assert.ok(report.tasksTag.length > 0);
});

test('StartTask_KeyValue', async (t) => {
  const { req } = await callSub(
    t,
    'StartTask_KeyValue',
    [FIXTURE.taskReloadSales, 'qvs ns', 'key one', 'v', ''],
    200,
  );
  assert.deepEqual(JSON.parse(req.body!), [
    { type: 'keyvaluestore', payload: { namespace: 'qvs ns', key: 'key one', value: 'v', ttl: '' } },
  ]);
});

test('file subs: Windows separators become /, # travels as %23, booleans as strings', async (t) => {
  const source = path.join(dir, 'from', 'report #1.qvd');
  await writeFile(source, 'qvd');
  const copy = await callSub(
    t,
    'CopyFile',
    [source.replace(/\//g, '\\'), path.join(dir, 'to', 'copy #1.qvd'), 'true', 'false'],
    201,
  );
  assert.equal(override(copy.req), 'PUT');
  assert.deepEqual(JSON.parse(copy.req.body!), {
    fromFile: source.replace(/#/g, '%23'),
    toFile: path.join(dir, 'to', 'copy %231.qvd'),
    overwrite: 'true',
    preserveTimestamp: 'false',
  });
  if (!copy.pending) assert.ok(await stat(path.join(dir, 'to', 'copy #1.qvd')));

  const move = await callSub(t, 'MoveFile', [source, path.join(dir, 'to', 'moved.qvd'), 'false'], 201);
  assert.deepEqual(Object.keys(JSON.parse(move.req.body!) as object), ['fromFile', 'toFile', 'overwrite']);

  const del = await callSub(t, 'DeleteFile', [path.join(dir, 'to', 'moved.qvd')], 204);
  assert.equal(override(del.req), 'DELETE');

  const made = await callSub(t, 'CreateDir', [path.join(dir, 'made', 'a', 'b')], 201);
  assert.ok(made.req.headers.some(([h, v]) => h === 'Content-Type' && v === 'application/json'));
  assert.equal(override(made.req), undefined);
  await callSub(t, 'CreateDirQVD', ['2024\\Q1'], 201);
});

test('key-value subs: names with spaces and # in the URL, ttl as a string, bodiless DELETE overrides', async (t) => {
  const ns = 'qvs #ns 1';
  const add = await callSub(t, 'AddKeyValue', [ns, 'k 1', 'v1', '0'], 201);
  assert.deepEqual(JSON.parse(add.req.body!), { key: 'k 1', value: 'v1' });
  assert.ok(add.req.url.endsWith('/v4/keyvalues/qvs%20%23ns%201'), add.req.url);
  const withTtl = await callSub(t, 'AddKeyValue', [ns, 'k#2', 'v2', '60000'], 201);
  assert.deepEqual(JSON.parse(withTtl.req.body!), { key: 'k#2', value: 'v2', ttl: '60000' });

  const get = await callSub(t, 'GetKeyValue', [ns, 'k#2', 'vResult'], 200);
  assert.equal(get.req.connection, 'Butler_GET');
  assert.ok(get.req.url.endsWith('?key=k%232'), get.req.url);
  if (!get.pending) assert.equal((get.res.json as { value: string }).value, 'v2');

  const exists = await callSub(t, 'ExistsKeyValue', [ns, 'k 1', 'vExists'], 200);
  if (!exists.pending) assert.equal((exists.res.json as { keyExists: boolean }).keyExists, true);
  const missing = await callSub(t, 'ExistsKeyValue', [ns, 'nope', 'vExists'], 200);
  if (!missing.pending) assert.equal((missing.res.json as { keyExists: boolean }).keyExists, false);

  const namespaces = await callSub(t, 'GetKeyValueNamespaces', ['Namespaces'], 200);
  if (!namespaces.pending) assert.ok((namespaces.res.json as string[]).includes(ns));
  const keys = await callSub(t, 'GetAllKeysInNamespace', ['Keys', ns], 200);
  if (!keys.pending)
    assert.deepEqual((keys.res.json as { keys: { key: string }[] }).keys.map((k) => k.key).sort(), [
      'k 1',
      'k#2',
    ]);

  const delKey = await callSub(t, 'DeleteKeyValue', [ns, 'k 1'], 204);
  assert.equal(delKey.req.body, undefined);
  assert.equal(override(delKey.req), 'DELETE');
  // The same bodiless override when the connection adds Content-Type: application/json.
  await callSub(t, 'DeleteKeyValue', [ns, 'k#2'], 204, {}, { 'content-type': 'application/json' });
  const delNs = await callSub(
    t,
    'DeleteKeyValueNamespace',
    [ns],
    204,
    {},
    { 'content-type': 'application/json' },
  );
  assert.equal(delNs.req.body, undefined);
});

test('PostToMQTT: MQTT is off in this config, so the API says so', async (t) => {
  const { req, res, pending } = await callSub(t, 'PostToMQTT', ['qliksense/test', 'hello'], 503);
  assert.deepEqual(JSON.parse(req.body!), { topic: 'qliksense/test', message: 'hello' });
  assert.equal(override(req), 'PUT');
  if (!pending) assert.equal((res.json as { code: string }).code, 'MQTT_DISABLED');
});

test('PostToSlack: # is added to a bare channel name', async (t) => {
  const { req, pending } = await callSub(
    t,
    'PostToSlack',
    ['general', 'Butler', 'Reload done', ':ghost:'],
    201,
  );
  assert.deepEqual(JSON.parse(req.body!), {
    channel: '#general',
    from_user: 'Butler',
    msg: 'Reload done',
    emoji: ':ghost:',
  });
  const direct = script.call('PostToSlack', ['@anna', 'Butler', 'x', ''], vars)[0]!;
  assert.equal((JSON.parse(direct.body!) as { channel: string }).channel, '@anna');
  if (!pending) assert.equal((slackPosts.at(-1) as { channel: string }).channel, '#general');
});
