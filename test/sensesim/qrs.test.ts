import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Agent } from 'undici';
import { createTestPki } from '../helpers/pki';
import { EMPTY_GUID, FIXTURE, SenseSim, XSRF_MESSAGE } from './index';
import type { TestPki } from './index';
import { XRFKEY, makeAgent, makeSingleClient, qrs } from './test-clients';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const quote = (value: string): string => `'${value.replace(/'/g, "''")}'`;
const ids = (rows: unknown): string[] => (rows as { id: string }[]).map((r) => r.id).sort();

let pki: TestPki;
let sim: SenseSim;
let agent: Agent;

before(async () => {
  pki = await createTestPki();
  sim = await SenseSim.start({ pki });
  agent = makeAgent(pki);
});

after(async () => {
  await agent.close();
  await sim.close();
  await fs.rm(pki.dir, { recursive: true, force: true });
});

describe('mutual TLS', { timeout: 20_000 }, () => {
  test('a trusted client certificate is accepted and its CN journaled', async () => {
    const res = await qrs(sim, agent, '/qrs/about');
    assert.equal(res.status, 200);
    assert.equal(sim.qrsCalls.at(-1)?.peerCN, 'QlikClient');
  });

  test('qrsHandshakes counts completed handshakes, not requests', async () => {
    const single = makeSingleClient(pki, sim);
    const before = sim.qrsHandshakes();
    try {
      for (let i = 0; i < 3; i += 1) assert.equal((await qrs(sim, single, '/qrs/about')).status, 200);
      assert.equal(sim.qrsHandshakes(), before + 1, 'one keep-alive connection');
    } finally {
      await single.close();
    }
    const fresh = makeAgent(pki);
    try {
      await qrs(sim, fresh, '/qrs/about');
      assert.equal(sim.qrsHandshakes(), before + 2, 'a new agent handshakes again');
    } finally {
      await fresh.close();
    }
  });

  for (const identity of ['rogue', 'none'] as const) {
    test(`a ${identity === 'rogue' ? 'self-signed' : 'missing'} client certificate is refused`, async () => {
      const refused = makeAgent(pki, identity);
      const journal = sim.qrsCalls.length;
      const handshakes = sim.qrsHandshakes();
      try {
        await assert.rejects(qrs(sim, refused, '/qrs/about'), (err: Error & { code?: string }) => {
          assert.equal(err.code, 'UND_ERR_SOCKET');
          return true;
        });
      } finally {
        await refused.close();
      }
      assert.equal(sim.qrsCalls.length, journal, 'nothing reached the QRS pipeline');
      assert.equal(sim.qrsHandshakes(), handshakes);
    });
  }
});

describe('xrfkey check', { timeout: 20_000 }, () => {
  const cases: [string, { rawQuery?: string; headers?: Record<string, string> }][] = [
    ['query parameter missing', { rawQuery: '' }],
    ['header missing', { headers: { 'x-qlik-xrfkey': '' } }],
    ['values differ', { headers: { 'x-qlik-xrfkey': 'ABCDEFGHIJ012345' } }],
    [
      '15 characters',
      { rawQuery: 'xrfkey=abcdefghij01234', headers: { 'x-qlik-xrfkey': 'abcdefghij01234' } },
    ],
    [
      'non-alphanumeric',
      { rawQuery: 'xrfkey=abcdefghij01234-', headers: { 'x-qlik-xrfkey': 'abcdefghij01234-' } },
    ],
    // A raw `#` starts the fragment: the rest of the query, xrfkey included, never reaches the server.
    ['key lost behind a raw #', { rawQuery: `filter=tags.name%20eq%20'R&D%20#1'&xrfkey=${XRFKEY}` }],
  ];
  for (const [name, opts] of cases) {
    test(`403 with the XSRF text when the ${name}`, async () => {
      const res = await qrs(sim, agent, '/qrs/task', opts);
      assert.equal(res.status, 403);
      assert.equal(res.text, XSRF_MESSAGE);
      assert.match(res.contentType ?? '', /^text\/plain/);
      assert.equal(sim.qrsCalls.at(-1)?.xrfkeyOk, false);
      assert.equal(sim.qrsCalls.at(-1)?.status, 403);
    });
  }

  test('the parameter name is case-insensitive (Qlik spells it Xrfkey)', async () => {
    const res = await qrs(sim, agent, '/qrs/task', { rawQuery: `Xrfkey=${XRFKEY}` });
    assert.equal(res.status, 200);
    assert.equal(sim.qrsCalls.at(-1)?.xrfkeyOk, true);
    assert.deepEqual(sim.qrsCalls.at(-1)?.query, { Xrfkey: XRFKEY });
  });
});

describe('X-Qlik-User', { timeout: 20_000 }, () => {
  const variants: [string, { directory: string; id: string }][] = [
    ['UserDirectory=INTERNAL;UserId=sa_repository', { directory: 'INTERNAL', id: 'sa_repository' }],
    ['UserDirectory=INTERNAL; UserId=sa_repository', { directory: 'INTERNAL', id: 'sa_repository' }],
    ['userdirectory=CORP;  userid=J%C3%BCrgen%20M%C3%BCller', { directory: 'CORP', id: 'Jürgen Müller' }],
  ];
  for (const [header, user] of variants) {
    test(`parses ${JSON.stringify(header)}`, async () => {
      const res = await qrs(sim, agent, '/qrs/about', { headers: { 'x-qlik-user': header } });
      assert.equal(res.status, 200);
      assert.deepEqual(sim.qrsCalls.at(-1)?.user, user);
    });
  }

  test('lenient mode answers without the header and journals user null', async () => {
    const res = await qrs(sim, agent, '/qrs/about', { headers: { 'x-qlik-user': '' } });
    assert.equal(res.status, 200);
    assert.equal(sim.qrsCalls.at(-1)?.user, null);
  });

  test('strictUser answers 403 without (or with a malformed) header, 200 with it', async () => {
    const strict = await SenseSim.start({ pki, strictUser: true });
    try {
      const missing = await qrs(strict, agent, '/qrs/about', { headers: { 'x-qlik-user': '' } });
      assert.equal(missing.status, 403);
      assert.match(missing.contentType ?? '', /^text\/plain/);
      const malformed = await qrs(strict, agent, '/qrs/about', {
        headers: { 'x-qlik-user': 'INTERNAL\\sa' },
      });
      assert.equal(malformed.status, 403);
      const present = await qrs(strict, agent, '/qrs/about');
      assert.equal(present.status, 200);
    } finally {
      await strict.close();
    }
  });
});

describe('task routes', { timeout: 20_000 }, () => {
  test('GET /qrs/task answers condensed rows', async () => {
    const res = await qrs(sim, agent, '/qrs/task', { filter: `id eq ${FIXTURE.taskReloadSales}` });
    assert.equal(res.status, 200);
    assert.equal(res.contentType, 'application/json; charset=utf-8');
    assert.deepEqual(res.json(), [
      { id: FIXTURE.taskReloadSales, name: 'Reload Sales', taskType: 0, enabled: true, privileges: null },
    ]);
  });

  test('tags with & # quote and non-ASCII text are found through an encoded filter', async () => {
    for (const tag of [FIXTURE.tagSpecial, FIXTURE.tagUnicode]) {
      const res = await qrs(sim, agent, '/qrs/task/full', { filter: `tags.name eq ${quote(tag)}` });
      assert.equal(res.status, 200);
      assert.deepEqual(ids(res.json()), [FIXTURE.taskReloadHr]);
      assert.equal(sim.qrsCalls.at(-1)?.filter, `tags.name eq ${quote(tag)}`);
    }
    const nightly = await qrs(sim, agent, '/qrs/task/full', { filter: `tags.name eq 'nightly'` });
    assert.deepEqual(
      ids(nightly.json()),
      [FIXTURE.taskReloadSales, FIXTURE.taskReloadFinance, FIXTURE.taskExternalProgram].sort(),
    );
  });

  test('custom-property filter with a special value finds the task and the full row shape', async () => {
    const filter = `(customProperties.definition.name eq ${quote(FIXTURE.cpTeam)}) and (customProperties.value eq ${quote(FIXTURE.cpValueSpecial)})`;
    const res = await qrs(sim, agent, '/qrs/task/full', { filter });
    const rows = res.json() as Record<string, unknown>[];
    assert.deepEqual(ids(rows), [FIXTURE.taskReloadSales]);
    const row = rows[0] as {
      schemaPath: string;
      taskSessionTimeout: number;
      app: { id: string };
      operational: { lastExecutionResult: { status: number } };
      customProperties: { definition: { name: string } }[];
    };
    assert.equal(row.schemaPath, 'ReloadTask');
    assert.equal(row.taskSessionTimeout, 1440);
    assert.equal(row.app.id, FIXTURE.appSales);
    assert.equal(row.operational.lastExecutionResult.status, 7);
    assert.equal(row.customProperties[0]?.definition.name, FIXTURE.cpTeam);
  });

  test('a + in the query stays a plus; a filter matching nothing is 200 []', async () => {
    sim.fixtures.tasks.push({
      id: '1e876194-b135-4b99-af3f-710076fab18d',
      name: 'a+b',
      taskType: 0,
      enabled: true,
      app: { id: FIXTURE.appSales, name: 'Sales' },
      tags: [],
      customProperties: [],
    });
    try {
      const plus = await qrs(sim, agent, '/qrs/task', {
        rawQuery: `xrfkey=${XRFKEY}&filter=name%20eq%20'a+b'`,
      });
      assert.deepEqual(ids(plus.json()), ['1e876194-b135-4b99-af3f-710076fab18d']);
      const none = await qrs(sim, agent, '/qrs/task', { rawQuery: `xrfkey=${XRFKEY}&filter=name+eq+'a+b'` });
      assert.equal(none.status, 400, 'with + as separators the text is not a valid expression');
      assert.equal(none.text, "Cannot parse the expression: name+eq+'a+b'");
    } finally {
      sim.fixtures.tasks.pop();
    }
    const empty = await qrs(sim, agent, '/qrs/task/full', { filter: `name eq 'no such task'` });
    assert.equal(empty.status, 200);
    assert.deepEqual(empty.json(), []);
  });

  test('an unparsable filter is 400 with the expression in the text', async () => {
    const filter = "tags.name eq 'R&D";
    const res = await qrs(sim, agent, '/qrs/task/full', { filter });
    assert.equal(res.status, 400);
    assert.equal(res.text, `Cannot parse the expression: ${filter}`);
  });

  test('POST start answers 204, or 404 for an unknown task', async () => {
    const started = await qrs(sim, agent, `/qrs/task/${FIXTURE.taskReloadFinance}/start`, {
      method: 'POST',
      body: '{}',
    });
    assert.equal(started.status, 204);
    assert.equal(started.text, '');
    assert.deepEqual(sim.qrsCalls.at(-1)?.body, {});
    const unknown = await qrs(sim, agent, `/qrs/task/${FIXTURE.taskUnknown}/start`, {
      method: 'POST',
      body: '{}',
    });
    assert.equal(unknown.status, 404);
  });

  test('synchronous start answers a new execution GUID, the empty GUID when not started, 404 when unknown', async () => {
    const path = (id: string) => `/qrs/task/${id}/start/synchronous`;
    const started = await qrs(sim, agent, path(FIXTURE.taskReloadSales.toUpperCase()), { method: 'POST' });
    assert.equal(started.status, 200);
    const { value } = started.json() as { value: string };
    assert.match(value, GUID);
    assert.notEqual(value, EMPTY_GUID);
    const result = await qrs(sim, agent, '/qrs/executionresult', { filter: `ExecutionId eq ${value}` });
    assert.deepEqual(
      (result.json() as { taskID: string }[]).map((r) => r.taskID),
      [FIXTURE.taskReloadSales],
    );
    const session = await qrs(sim, agent, `/qrs/executionsession/${value}`);
    assert.equal(session.status, 404, 'the simulated run finished at once');

    const notStarted = await qrs(sim, agent, path(FIXTURE.taskDisabled), { method: 'POST' });
    assert.deepEqual(notStarted.json(), { value: EMPTY_GUID });
    const unknown = await qrs(sim, agent, path(FIXTURE.taskUnknown), { method: 'POST' });
    assert.equal(unknown.status, 404);
  });

  test('reloadtask/{id}, reloadtask/full and the other task entities', async () => {
    const reload = await qrs(sim, agent, `/qrs/reloadtask/${FIXTURE.taskReloadFinance}`);
    const row = reload.json() as {
      name: string;
      operational: { lastExecutionResult: Record<string, unknown> };
    };
    assert.equal(row.name, 'Reload Finance');
    assert.equal(typeof row.operational.lastExecutionResult.duration, 'number');
    assert.equal(row.operational.lastExecutionResult.taskID, undefined, 'condensed copy');
    assert.equal((await qrs(sim, agent, `/qrs/reloadtask/${FIXTURE.taskExternalProgram}`)).status, 404);
    assert.equal(
      (await qrs(sim, agent, `/qrs/externalprogramtask/${FIXTURE.taskExternalProgram}`)).status,
      200,
    );
    const full = (await qrs(sim, agent, '/qrs/reloadtask/full')).json() as { taskType: number }[];
    assert.ok(full.length >= 4);
    assert.ok(full.every((t) => t.taskType === 0));
    const count = await qrs(sim, agent, '/qrs/task/count', { filter: "tags.name eq 'Nightly'" });
    assert.deepEqual(count.json(), { value: 3 });
  });

  test('a running execution is visible at executionsession/{id}', async () => {
    const executionId = '8b30c6d4-cef9-471b-9a2e-47cdb0a38e13';
    sim.fixtures.executionSessions.push({
      id: '4562d5f3-94c4-4057-a326-fa79e418220d',
      taskId: FIXTURE.taskReloadSales,
      executionId,
      status: 2,
    });
    try {
      const res = await qrs(sim, agent, `/qrs/executionsession/${executionId}`);
      assert.equal(res.status, 200);
      assert.equal((res.json() as { taskId: string }).taskId, FIXTURE.taskReloadSales);
    } finally {
      sim.fixtures.executionSessions.pop();
    }
  });
});

describe('app, user and other routes', { timeout: 20_000 }, () => {
  test('GET /qrs/app, /qrs/app/full and /qrs/app/{id}', async () => {
    const list = (await qrs(sim, agent, '/qrs/app')).json() as Record<string, unknown>[];
    assert.ok(list.length >= 3);
    assert.equal(list[0]?.owner, undefined, 'condensed rows');
    const full = await qrs(sim, agent, '/qrs/app/full', { filter: `id eq ${FIXTURE.appSales}` });
    const row = (full.json() as { name: string; owner: { id: string }; stream: { name: string } }[])[0];
    assert.equal(row?.name, 'Sales');
    assert.equal(row?.owner.id, FIXTURE.userOwner);
    assert.equal(row?.stream.name, 'Everyone');
    const one = await qrs(sim, agent, `/qrs/app/${FIXTURE.appFinance}`);
    assert.equal((one.json() as { publishTime: string }).publishTime, '1753-01-01T00:00:00.000Z');
    assert.equal((await qrs(sim, agent, `/qrs/app/${FIXTURE.appUnknown}`)).status, 404);
  });

  test('GET /qrs/user/{id} carries the e-mail attribute', async () => {
    const res = await qrs(sim, agent, `/qrs/user/${FIXTURE.userOwner}`);
    const user = res.json() as { attributes: { attributeType: string; attributeValue: string }[] };
    assert.deepEqual(
      user.attributes.map((a) => [a.attributeType, a.attributeValue]),
      [['Email', 'jane.doe@example.com']],
    );
  });

  test('unknown paths are 404, known paths with another method 405', async () => {
    assert.equal((await qrs(sim, agent, '/qrs/nothing/here')).status, 404);
    assert.equal((await qrs(sim, agent, '/qrs/task/full', { method: 'DELETE' })).status, 405);
  });
});

describe('script logs', { timeout: 20_000 }, () => {
  test('both reference APIs hand out a one-shot download id for the CRLF log', async () => {
    const byResult = await qrs(sim, agent, `/qrs/reloadtask/${FIXTURE.taskReloadFinance}/scriptlogfile`, {
      rawQuery: `xrfkey=${XRFKEY}&executionResultId=${FIXTURE.resultFinanceLast}`,
    });
    assert.equal(byResult.status, 200);
    const { value } = byResult.json() as { value: string };
    assert.match(value, GUID);
    const download = await qrs(sim, agent, `/qrs/download/reloadtask/${value}/Finance.log`);
    assert.equal(download.status, 200);
    assert.deepEqual([...download.bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'fixture log starts with a BOM');
    assert.match(download.contentType ?? '', /^text\/plain/);
    assert.match(download.text, /Execution Failed\r\n$/);
    assert.equal(
      (await qrs(sim, agent, `/qrs/download/reloadtask/${value}/Finance.log`)).status,
      404,
      'one-shot',
    );

    const result = (await qrs(sim, agent, `/qrs/executionresult/${FIXTURE.resultSalesLast}`)).json() as {
      fileReferenceID: string;
    };
    const byReference = await qrs(sim, agent, `/qrs/reloadtask/${FIXTURE.taskReloadSales}/scriptlog`, {
      rawQuery: `xrfkey=${XRFKEY}&fileReferenceId=${result.fileReferenceID}`,
    });
    const generated = await qrs(
      sim,
      agent,
      `/qrs/download/reloadtask/${(byReference.json() as { value: string }).value}/x.log`,
    );
    assert.match(generated.text, /Execution finished\.\r\n$/);
  });

  test('an unknown result or task gives 404', async () => {
    const unknown = await qrs(sim, agent, `/qrs/reloadtask/${FIXTURE.taskReloadSales}/scriptlogfile`, {
      rawQuery: `xrfkey=${XRFKEY}&executionResultId=${FIXTURE.resultFinanceLast}`,
    });
    assert.equal(unknown.status, 404, 'result belongs to another task');
  });
});

describe('faults and journal', { timeout: 20_000 }, () => {
  test('a status fault applies `times` often, then the route answers again', async () => {
    sim.qrsFault({ method: 'GET', path: '/qrs/about', status: 503, body: 'Service Unavailable', times: 2 });
    try {
      for (let i = 0; i < 2; i += 1) {
        const res = await qrs(sim, agent, '/qrs/about');
        assert.equal(res.status, 503);
        assert.equal(res.text, 'Service Unavailable');
      }
      assert.equal((await qrs(sim, agent, '/qrs/about')).status, 200);
    } finally {
      sim.clearFaults();
    }
  });

  test('faults match method and RegExp paths; JSON bodies are sent as JSON', async () => {
    sim.qrsFault({ method: 'POST', path: /\/start\/synchronous$/, status: 500, body: '{"error":"boom"}' });
    try {
      assert.equal((await qrs(sim, agent, '/qrs/about')).status, 200);
      const res = await qrs(sim, agent, `/qrs/task/${FIXTURE.taskReloadSales}/start/synchronous`, {
        method: 'POST',
      });
      assert.equal(res.status, 500);
      assert.deepEqual(res.json(), { error: 'boom' });
      assert.equal(res.contentType, 'application/json; charset=utf-8');
    } finally {
      sim.clearFaults();
    }
    assert.equal(
      (await qrs(sim, agent, `/qrs/task/${FIXTURE.taskReloadSales}/start/synchronous`, { method: 'POST' }))
        .status,
      200,
    );
  });

  test('a delay fault delays the normal answer', async () => {
    sim.qrsFault({ path: '/qrs/about', delayMs: 150, times: 1 });
    const t0 = Date.now();
    const res = await qrs(sim, agent, '/qrs/about');
    assert.equal(res.status, 200);
    assert.ok(Date.now() - t0 >= 140, 'answer came after the delay');
  });

  test('a destroySocket fault drops the connection (journaled with status 0)', async () => {
    sim.qrsFault({ path: '/qrs/about', destroySocket: true, times: 1 });
    await assert.rejects(qrs(sim, agent, '/qrs/about'));
    assert.equal(sim.qrsCalls.at(-1)?.status, 0);
    assert.equal((await qrs(sim, agent, '/qrs/about')).status, 200, 'the next call works again');
  });

  test('the journal holds decoded path, query, filter, headers, body and status; resetJournal empties it', async () => {
    sim.resetJournal();
    assert.equal(sim.qrsCalls.length, 0);
    await qrs(sim, agent, `/qrs/task/${FIXTURE.taskReloadSales}/start`, {
      method: 'POST',
      rawQuery: `xrfkey=${XRFKEY}&note=%C3%BC%20%26%20x`,
      body: '{"a":1}',
    });
    const call = sim.qrsCalls[0];
    assert.ok(call);
    assert.equal(call.method, 'POST');
    assert.equal(call.path, `/qrs/task/${FIXTURE.taskReloadSales}/start`);
    assert.deepEqual(call.query, { xrfkey: XRFKEY, note: 'ü & x' });
    assert.equal(call.filter, undefined);
    assert.equal(call.headers['x-qlik-xrfkey'], XRFKEY);
    assert.deepEqual(call.body, { a: 1 });
    assert.equal(call.status, 204);
    assert.ok(call.at > 0 && call.at <= Date.now());
  });
});

describe('close', { timeout: 20_000 }, () => {
  test('close() ends open keep-alive connections and is idempotent', async () => {
    const own = await SenseSim.start({ pki });
    const ownAgent = makeAgent(pki);
    try {
      assert.equal((await qrs(own, ownAgent, '/qrs/about')).status, 200);
      await Promise.all([own.close(), own.close()]);
      await assert.rejects(qrs(own, ownAgent, '/qrs/about'));
    } finally {
      await ownAgent.close();
      await own.close();
    }
  });
});
