/** The QRS client against the simulator over real mutual TLS. */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { after, before, beforeEach, describe, it } from 'node:test';
import { SenseClient } from '../../shared/sense/client';
import type { SenseError } from '../../shared/sense/errors';
import { tagFilter } from '../../shared/sense/filter';
import { createTestPki, type TestPki } from '../helpers/pki';
import { FIXTURE, SenseSim, type QrsCall } from '../sensesim';
import { gate } from '../sensesim/faults';
import { senseConfig } from './setup';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function onlyCall(sim: SenseSim): QrsCall {
  assert.equal(
    sim.qrsCalls.length,
    1,
    `expected one QRS call, got ${sim.qrsCalls.map((c) => c.path).join(', ')}`,
  );
  return sim.qrsCalls[0]!;
}

describe('QrsClient against the simulator', () => {
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

  it('looks tasks up by id, case-insensitively, skipping non-GUIDs', async () => {
    const tasks = await client.qrs.tasksByIds([
      FIXTURE.taskReloadSales.toUpperCase(),
      FIXTURE.taskReloadFinance,
      FIXTURE.taskUnknown,
      'not-a-guid',
      FIXTURE.taskReloadSales,
    ]);
    assert.deepEqual(tasks.map((t) => t.name).sort(), ['Reload Finance', 'Reload Sales']);
    const call = onlyCall(sim);
    assert.equal(call.method, 'GET');
    assert.equal(call.path, '/qrs/task');
    assert.equal(
      call.filter,
      `id eq ${FIXTURE.taskReloadSales} or id eq ${FIXTURE.taskReloadFinance} or id eq ${FIXTURE.taskUnknown}`,
    );
    assert.equal(call.status, 200);
  });

  it('splits long id lists into several short lookups', async () => {
    const ids = [
      FIXTURE.taskReloadHr,
      ...Array.from({ length: 99 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`),
    ];
    const tasks = await client.qrs.tasksByIds(ids);
    assert.deepEqual(tasks, [{ id: FIXTURE.taskReloadHr, name: 'Reload HR' }]);
    assert.equal(sim.qrsCalls.length, 3);
    for (const call of sim.qrsCalls) assert.equal(call.status, 200);
  });

  it("finds tasks by several tags in one call; & # ' and non-ASCII arrive intact", async () => {
    const tasks = await client.qrs.tasksByTags([FIXTURE.tagSpecial, FIXTURE.tagUnicode, FIXTURE.tagFinance]);
    assert.deepEqual(
      tasks.map((t) => t.id).sort(),
      [FIXTURE.taskReloadFinance, FIXTURE.taskReloadHr, FIXTURE.taskDisabled].sort(),
    );
    const call = onlyCall(sim);
    assert.equal(call.path, '/qrs/task/full');
    assert.equal(
      call.filter,
      `tags.name eq 'R&D #1 ''x''' or tags.name eq 'Größe ✓ 東京' or tags.name eq 'Finance'`,
    );
    assert.equal(call.xrfkeyOk, true);
  });

  it('keeps + and % literal in filter values', async () => {
    const task = sim.fixtures.tasks.find((t) => t.id === FIXTURE.taskUserSync)!;
    task.tags.push({ id: '5f0d1c4e-94f4-4c43-a8f4-0e0f0a0b0c0d', name: 'C++ 100% ?=x' });
    const tasks = await client.qrs.tasksByTags(['C++ 100% ?=x']);
    assert.deepEqual(tasks, [{ id: FIXTURE.taskUserSync, name: 'Sync AD users' }]);
    assert.equal(onlyCall(sim).filter, tagFilter(['C++ 100% ?=x']));
  });

  it('finds tasks by custom-property pairs in one call', async () => {
    const tasks = await client.qrs.tasksByCustomProperties([
      { name: FIXTURE.cpTeam, value: FIXTURE.cpValueSpecial },
      { name: FIXTURE.cpTeam, value: FIXTURE.tagUnicode },
    ]);
    assert.deepEqual(tasks.map((t) => t.name).sort(), ['Reload HR', 'Reload Sales']);
    assert.equal(
      onlyCall(sim).filter,
      `(customProperties.definition.name eq 'Butler_Team' and customProperties.value eq 'ops & dev #2 ''a''') or ` +
        `(customProperties.definition.name eq 'Butler_Team' and customProperties.value eq 'Größe ✓ 東京')`,
    );
  });

  it('makes no call for empty tag or property lists', async () => {
    assert.deepEqual(await client.qrs.tasksByTags([]), []);
    assert.deepEqual(await client.qrs.tasksByCustomProperties([]), []);
    assert.deepEqual(await client.qrs.tasksByIds(['x']), []);
    assert.equal(sim.qrsCalls.length, 0);
  });

  it('sends a fresh 16-character xrfkey in query and header, X-Qlik-User and the client certificate', async () => {
    await client.qrs.getJson('/qrs/task');
    await client.qrs.getJson('/qrs/task');
    const keys = sim.qrsCalls.map((call) => {
      const header = call.headers['x-qlik-xrfkey'];
      assert.equal(call.query.xrfkey, header);
      assert.match(String(header), /^[0-9A-Za-z]{16}$/);
      assert.equal(call.xrfkeyOk, true);
      assert.deepEqual(call.user, { directory: 'INTERNAL', id: 'sa_repository' });
      assert.equal(call.peerCN, 'QlikClient');
      assert.equal(call.headers.accept, 'application/json');
      assert.equal(call.headers['content-type'], undefined);
      return header;
    });
    assert.notEqual(keys[0], keys[1]);
  });

  it('URL-encodes the X-Qlik-User values', async () => {
    const other = new SenseClient(senseConfig(pki, sim, { userDirectory: 'ACME CORP', userId: 'jö;x=1' }));
    try {
      await other.qrs.getJson('/qrs/task');
      assert.deepEqual(onlyCall(sim).user, { directory: 'ACME CORP', id: 'jö;x=1' });
    } finally {
      await other.close();
    }
  });

  it('starts a task synchronously and returns its execution id', async () => {
    const { executionId } = await client.qrs.startTaskSynchronous(FIXTURE.taskReloadSales);
    assert.match(executionId ?? '', GUID);
    const call = onlyCall(sim);
    assert.equal(call.method, 'POST');
    assert.equal(call.path, `/qrs/task/${FIXTURE.taskReloadSales}/start/synchronous`);
    assert.equal(call.status, 200);
  });

  it('reports a task QRS did not start (empty GUID) as null', async () => {
    assert.deepEqual(await client.qrs.startTaskSynchronous(FIXTURE.taskDisabled), { executionId: null });
  });

  it('turns 404 on start into SENSE_ERROR carrying upstreamStatus 404', async () => {
    await assert.rejects(client.qrs.startTaskSynchronous(FIXTURE.taskUnknown), (err: SenseError) => {
      assert.equal(err.code, 'SENSE_ERROR');
      assert.equal(err.statusCode, 502);
      assert.equal(err.upstreamStatus, 404);
      assert.match(
        err.message,
        new RegExp(`QRS POST /qrs/task/${FIXTURE.taskUnknown}/start/synchronous answered 404`),
      );
      return true;
    });
  });

  it('reuses TLS connections across 50 sequential starts', async () => {
    const before = sim.qrsHandshakes();
    for (let i = 0; i < 50; i++) {
      const { executionId } = await client.qrs.startTaskSynchronous(FIXTURE.taskReloadFinance);
      assert.ok(executionId);
    }
    assert.equal(sim.qrsCalls.length, 50);
    assert.ok(sim.qrsHandshakes() - before <= 2, `handshakes: ${sim.qrsHandshakes() - before}`);
  });

  it('request() returns non-2xx statuses instead of throwing', async () => {
    const response = await client.qrs.request('GET', `/qrs/app/${FIXTURE.appUnknown}`);
    assert.equal(response.status, 404);
  });

  it('maps QRS 500 to 502 naming method, path (no query) and status; no retry for 500', async () => {
    sim.qrsFault({ path: '/qrs/task/full', status: 500, body: 'Internal error\r\n at repository' });
    await assert.rejects(client.qrs.tasksByTags(['Nightly']), (err: SenseError) => {
      assert.equal(err.statusCode, 502);
      assert.equal(err.upstreamStatus, 500);
      assert.equal(err.message, 'QRS GET /qrs/task/full answered 500: Internal error at repository');
      return true;
    });
    assert.equal(sim.qrsCalls.length, 1);
  });

  it('retries a GET after 503 and after a dropped connection', async () => {
    sim.qrsFault({ path: '/qrs/task/full', status: 503, times: 1 });
    sim.qrsFault({ path: '/qrs/task', destroySocket: true, times: 1 });
    assert.equal((await client.qrs.tasksByTags(['Nightly'])).length, 3);
    assert.equal((await client.qrs.tasksByIds([FIXTURE.taskReloadHr])).length, 1);
    assert.deepEqual(
      sim.qrsCalls.map((c) => `${c.path} ${c.status}`),
      ['/qrs/task/full 503', '/qrs/task/full 200', '/qrs/task 0', '/qrs/task 200'],
    );
  });

  it('never retries a start', async () => {
    sim.qrsFault({ method: 'POST', path: /\/start\/synchronous$/, status: 503, times: 1 });
    await assert.rejects(client.qrs.startTaskSynchronous(FIXTURE.taskReloadSales), { upstreamStatus: 503 });
    sim.qrsFault({ method: 'POST', path: /\/start\/synchronous$/, destroySocket: true, times: 1 });
    await assert.rejects(client.qrs.startTaskSynchronous(FIXTURE.taskReloadSales), { code: 'SENSE_ERROR' });
    assert.equal(sim.qrsCalls.length, 2);
  });

  it('answers 504 when QRS is slower than sense.timeoutMs, then works again', async () => {
    sim.resetJournal();
    const held = gate();
    sim.qrsFault({ path: '/qrs/task/full', until: held.until, times: 2 });
    await assert.rejects(client.qrs.tasksByTags(['Nightly']), (err: SenseError) => {
      assert.equal(err.code, 'UPSTREAM_TIMEOUT');
      assert.equal(err.statusCode, 504);
      assert.match(err.message, /1000 ms \(sense\.timeoutMs\)/);
      return true;
    });
    held.release();
    const lookups = sim.qrsCalls.filter((c) => c.path === '/qrs/task/full');
    assert.equal(lookups.length, 1, 'a timeout is not retried');
    sim.clearFaults();
    assert.equal((await client.qrs.tasksByTags(['Nightly'])).length, 3);
  });

  it('reports malformed JSON on a 2xx as SENSE_ERROR', async () => {
    sim.qrsFault({ path: '/qrs/task', status: 200, body: '{"id": ' });
    // The simulator labels an unparsable fault body text/plain, so the client sees text, not an array.
    await assert.rejects(client.qrs.tasksByIds([FIXTURE.taskReloadHr]), { code: 'SENSE_ERROR' });
  });
});
