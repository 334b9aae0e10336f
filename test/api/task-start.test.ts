/**
 * PUT|POST /v4/reloadtask/{taskId}/start on the embedded host against the Sense simulator:
 * every form of task start, and what reached QRS (mTLS identity, xrfkey, X-Qlik-User).
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { getServices } from '../../shared/bootstrap';
import { assertSenseIdentity, startSenseEnv, type SenseEnv } from '../helpers/sense-env';
import { FIXTURE } from '../sensesim/fixtures';
import type { QrsCall } from '../sensesim/types';

interface Started {
  taskId: string;
  taskName: string | null;
  executionId: string;
}
interface Report {
  tasksId: { started: Started[]; invalid: { taskId: string }[]; denied: { taskId: string }[] };
  tasksTag: Started[];
  tasksTagDenied: { tag: string }[];
  tasksCP: Started[];
  tasksCPDenied: { name: string; value: string }[];
  tasksFailed: { taskId: string; via: string; statusCode: number; message: string }[];
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
let env: SenseEnv;

before(async () => {
  env = await startSenseEnv({ config: { keyValueStore: { maxKeysPerNamespace: 3 } } });
});
after(async () => {
  await env?.close();
});
beforeEach(() => env.sim.resetJournal());
afterEach(() => {
  assertSenseIdentity(env.sim);
});

function starts(): QrsCall[] {
  return env.sim.qrsCalls.filter((c) => c.method === 'POST' && /\/start\/synchronous$/.test(c.path));
}

async function start(
  taskId: string,
  body?: unknown,
  query = '',
): Promise<{ status: number; report: Report; json: unknown }> {
  const res = await env.api.call(`/v4/reloadtask/${taskId}/start${query}`, {
    method: 'POST',
    headers: { 'x-http-method-override': 'PUT' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, report: res.json as Report, json: res.json };
}

describe('start by id', () => {
  test('the path id starts the task and reports QRS execution id; QRS saw our identity', async () => {
    const { status, report } = await start(FIXTURE.taskReloadSales);
    assert.equal(status, 200);
    assert.equal(report.tasksId.started.length, 1);
    const [started] = report.tasksId.started;
    assert.equal(started?.taskId, FIXTURE.taskReloadSales);
    assert.equal(started?.taskName, 'Reload Sales');
    assert.match(started?.executionId ?? '', GUID);
    assert.notEqual(started?.executionId, '00000000-0000-0000-0000-000000000000');
    const calls = starts();
    assert.equal(calls.length, 1);
    assert.equal(calls[0]?.path, `/qrs/task/${FIXTURE.taskReloadSales}/start/synchronous`);
    assert.equal(assertSenseIdentity(env.sim), 2, 'one id lookup and one start');
  });

  test('a single unknown id is invalid (QRS answered 404 to the start); nothing else changed', async () => {
    const { status, report } = await start(FIXTURE.taskUnknown);
    assert.equal(status, 200);
    assert.deepEqual(report.tasksId, { started: [], invalid: [{ taskId: FIXTURE.taskUnknown }], denied: [] });
    assert.deepEqual(report.tasksFailed, []);
  });

  test('real PUT and plain POST behave the same; ids are accepted in upper case', async () => {
    const put = await env.api.call(`/v4/reloadtask/${FIXTURE.taskReloadHr.toUpperCase()}/start`, {
      method: 'PUT',
    });
    assert.equal(put.status, 200);
    assert.equal((put.json as Report).tasksId.started[0]?.taskId, FIXTURE.taskReloadHr);
    const post = await env.api.call(`/v4/reloadtask/${FIXTURE.taskReloadHr}/start`, { method: 'POST' });
    assert.equal(post.status, 200);
    assert.equal(starts().length, 2);
  });

  test('"-" with no body and with [] starts nothing and calls no QRS', async () => {
    for (const body of [undefined, []]) {
      const { status, report } = await start('-', body);
      assert.equal(status, 200);
      assert.deepEqual(report, {
        tasksId: { started: [], invalid: [], denied: [] },
        tasksTag: [],
        tasksTagDenied: [],
        tasksCP: [],
        tasksCPDenied: [],
        tasksFailed: [],
      });
    }
    assert.equal(env.sim.qrsCalls.length, 0);
  });

  test('unknown and malformed ids are invalid; known ones still start', async () => {
    const { report } = await start('-', [
      { type: 'starttaskid', payload: { taskId: FIXTURE.taskReloadFinance } },
      { type: 'starttaskid', payload: { taskId: FIXTURE.taskUnknown } },
      { type: 'starttaskid', payload: { taskId: 'not-a-guid' } },
    ]);
    assert.deepEqual(
      report.tasksId.started.map((t) => t.taskId),
      [FIXTURE.taskReloadFinance],
    );
    assert.deepEqual(
      report.tasksId.invalid.map((t) => t.taskId).sort(),
      [FIXTURE.taskUnknown, 'not-a-guid'].sort(),
    );
    assert.equal(starts().length, 1);
    assert.equal(
      env.sim.qrsCalls.some((c) => c.filter?.includes('not-a-guid')),
      false,
      'a malformed id never reaches QRS',
    );
  });

  test('allTaskIdsMustExist=true: one unknown id stops every id start; tags still start', async () => {
    const { report } = await start(
      FIXTURE.taskReloadSales,
      [
        { type: 'starttaskid', payload: { taskId: FIXTURE.taskUnknown } },
        { type: 'starttasktag', payload: { tag: FIXTURE.tagSpecial } },
      ],
      '?allTaskIdsMustExist=true',
    );
    assert.deepEqual(report.tasksId.started, []);
    assert.deepEqual(report.tasksId.invalid, [{ taskId: FIXTURE.taskUnknown }]);
    assert.deepEqual(report.tasksId.denied, [{ taskId: FIXTURE.taskReloadSales }]);
    assert.deepEqual(
      report.tasksTag.map((t) => t.taskId),
      [FIXTURE.taskReloadHr],
    );
    assert.deepEqual(
      starts().map((c) => c.path),
      [`/qrs/task/${FIXTURE.taskReloadHr}/start/synchronous`],
    );
  });

  test('a task QRS does not start is reported in tasksFailed', async () => {
    const { report } = await start(FIXTURE.taskDisabled);
    assert.deepEqual(report.tasksId.started, []);
    assert.equal(report.tasksFailed.length, 1);
    assert.equal(report.tasksFailed[0]?.taskId, FIXTURE.taskDisabled);
    assert.equal(report.tasksFailed[0]?.via, 'id');
    assert.match(report.tasksFailed[0]?.message ?? '', /not started/);
  });
});

describe('start by tag and custom property', () => {
  test('all tags go to QRS in one call; each task starts once though selected twice', async () => {
    const { report } = await start(FIXTURE.taskReloadSales, [
      { type: 'starttasktag', payload: { tag: FIXTURE.tagNightly } },
      { type: 'starttasktag', payload: { tag: FIXTURE.tagSpecial } },
    ]);
    const tagged = report.tasksTag.map((t) => t.taskId).sort();
    assert.deepEqual(
      tagged,
      [
        FIXTURE.taskReloadSales,
        FIXTURE.taskReloadFinance,
        FIXTURE.taskExternalProgram,
        FIXTURE.taskReloadHr,
      ].sort(),
    );
    assert.deepEqual(
      report.tasksId.started.map((t) => t.taskId),
      [FIXTURE.taskReloadSales],
    );
    const lookups = env.sim.qrsCalls.filter((c) => c.method === 'GET' && c.path === '/qrs/task/full');
    assert.equal(lookups.length, 1);
    assert.equal(starts().length, 4, 'Reload Sales started once');
    const salesExecution = report.tasksTag.find((t) => t.taskId === FIXTURE.taskReloadSales)?.executionId;
    assert.equal(salesExecution, report.tasksId.started[0]?.executionId);
  });

  test("tag and custom-property values with & # ' and non-ASCII reach QRS intact", async () => {
    const { report } = await start('-', [
      { type: 'starttasktag', payload: { tag: FIXTURE.tagUnicode } },
      {
        type: 'starttaskcustomproperty',
        payload: { customPropertyName: FIXTURE.cpTeam, customPropertyValue: FIXTURE.cpValueSpecial },
      },
    ]);
    assert.deepEqual(
      report.tasksTag.map((t) => t.taskId),
      [FIXTURE.taskReloadHr],
    );
    assert.deepEqual(
      report.tasksCP.map((t) => t.taskId),
      [FIXTURE.taskReloadSales],
    );
    const filters = env.sim.qrsCalls.map((c) => c.filter ?? '');
    assert.ok(
      filters.some((f) => f.includes("'Größe ✓ 東京'")),
      filters.join(' | '),
    );
    assert.ok(
      filters.some((f) => f.includes("'ops & dev #2 ''a'''")),
      filters.join(' | '),
    );
  });

  test('a tag or property that matches nothing starts nothing', async () => {
    const { status, report } = await start('-', [
      { type: 'starttasktag', payload: { tag: 'NoSuchTag' } },
      { type: 'starttaskcustomproperty', payload: { customPropertyName: 'Nope', customPropertyValue: 'x' } },
    ]);
    assert.equal(status, 200);
    assert.deepEqual(report.tasksTag, []);
    assert.deepEqual(report.tasksCP, []);
    assert.equal(starts().length, 0);
  });
});

describe('key-value items', () => {
  test('are stored before the task starts, with TTL sent as a string', async () => {
    const { status } = await start(FIXTURE.taskReloadSales, [
      {
        type: 'keyvaluestore',
        payload: { namespace: 'Reload Params', key: 'run#1', value: 2024, ttl: '60000' },
      },
    ]);
    assert.equal(status, 200);
    const entry = await getServices().kv.get('Reload Params', 'run#1');
    assert.equal(entry?.value, '2024');
    assert.equal(entry?.ttl, 60000);
  });

  test('a full namespace is 409 before anything starts', async () => {
    for (const key of ['a', 'b', 'c']) await getServices().kv.set('full', key, 'v', 0);
    env.sim.resetJournal();
    const res = await start(FIXTURE.taskReloadSales, [
      { type: 'keyvaluestore', payload: { namespace: 'full', key: 'new', value: 'v' } },
    ]);
    assert.equal(res.status, 409);
    assert.equal((res.json as { code: string }).code, 'KV_NAMESPACE_FULL');
    assert.equal(starts().length, 0);
  });
});

describe('bad bodies', () => {
  const cases: [string, unknown, RegExp][] = [
    ['an object instead of an array', { type: 'starttaskid' }, /^body must be array$/],
    ['an item without payload', [{ type: 'starttaskid' }], /payload/],
    ['an unknown item type', [{ type: 'startall', payload: {} }], /type/],
    [
      'a key-value item without value',
      [{ type: 'keyvaluestore', payload: { namespace: 'n', key: 'k' } }],
      /value/,
    ],
    ['a tag that is an object', [{ type: 'starttasktag', payload: { tag: { x: 1 } } }], /tag/],
  ];
  for (const [name, body, message] of cases) {
    test(`${name} → 400 VALIDATION before any QRS call`, async () => {
      const res = await start(FIXTURE.taskReloadSales, body);
      assert.equal(res.status, 400);
      const json = res.json as { code: string; message: string };
      assert.equal(json.code, 'VALIDATION');
      assert.match(json.message, message);
      assert.equal(env.sim.qrsCalls.length, 0);
    });
  }

  test('a path task id over 100 characters → 400 naming taskId', async () => {
    const res = await start('x'.repeat(101), []);
    assert.equal(res.status, 400);
    assert.match((res.json as { message: string }).message, /taskId/);
  });

  test('invalid JSON → 400 INVALID_JSON; allTaskIdsMustExist=yes → 400', async () => {
    const res = await env.api.call(`/v4/reloadtask/-/start`, {
      method: 'PUT',
      body: '[{',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(res.status, 400);
    assert.equal((res.json as { code: string }).code, 'INVALID_JSON');
    const bad = await start('-', [], '?allTaskIdsMustExist=yes');
    assert.equal(bad.status, 400);
    assert.match((bad.json as { message: string }).message, /allTaskIdsMustExist/);
  });
});

describe('connection reuse', () => {
  test('50 task starts in a row reuse the TLS connection to QRS', async () => {
    const before = env.sim.qrsHandshakes();
    for (let i = 0; i < 50; i++) {
      const { status } = await start(FIXTURE.taskReloadSales);
      assert.equal(status, 200);
    }
    assert.equal(starts().length, 50);
    assert.ok(env.sim.qrsHandshakes() - before <= 2, `handshakes: ${env.sim.qrsHandshakes() - before}`);
  });
});
