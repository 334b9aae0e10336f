/** Transport failures over real TLS: every one is a clear ApiError naming what to fix. */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { SenseConfig } from '../../shared/config/types';
import { listApps } from '../../shared/sense/apps';
import { SenseClient } from '../../shared/sense/client';
import type { SenseError } from '../../shared/sense/errors';
import { createTestPki, type TestPki } from '../helpers/pki';
import { FIXTURE, SenseSim } from '../sensesim';
import { closedPort, senseConfig } from './setup';

describe('Sense client transport failures', () => {
  let pki: TestPki;
  let foreignPki: TestPki;
  let sim: SenseSim;

  before(async () => {
    [pki, foreignPki] = await Promise.all([createTestPki(), createTestPki(undefined, 'foreign')]);
    sim = await SenseSim.start({ pki });
  });
  after(async () => {
    await sim.close();
    await Promise.all([pki, foreignPki].map((p) => fs.rm(p.dir, { recursive: true, force: true })));
  });

  /** Runs one QRS lookup and one Engine list with a fresh client; returns both errors. */
  async function failBoth(overrides: Partial<SenseConfig>): Promise<[SenseError, SenseError]> {
    const client = new SenseClient(senseConfig(pki, sim, overrides));
    try {
      const qrs = await client.qrs.tasksByIds([FIXTURE.taskReloadSales]).then(
        () => assert.fail('QRS call should fail'),
        (err: SenseError) => err,
      );
      const engine = await listApps(client).then(
        () => assert.fail('Engine call should fail'),
        (err: SenseError) => err,
      );
      return [qrs, engine];
    } finally {
      await client.close();
    }
  }

  it('Sense down (closed port) → 503 SENSE_UNAVAILABLE', async () => {
    const port = await closedPort();
    const [qrs, engine] = await failBoth({ qrsPort: port, enginePort: port });
    for (const err of [qrs, engine]) {
      assert.equal(err.code, 'SENSE_UNAVAILABLE');
      assert.equal(err.statusCode, 503);
      assert.match(err.message, new RegExp(`at 127\\.0\\.0\\.1:${port} is not reachable: ECONNREFUSED`));
    }
  });

  it('server certificate from an unknown CA → 502 naming sense.ca and its file', async () => {
    const [qrs, engine] = await failBoth({ ca: foreignPki.caCert });
    for (const err of [qrs, engine]) {
      assert.equal(err.code, 'SENSE_ERROR');
      assert.match(err.message, /not trusted/);
      assert.ok(err.message.includes(`sense.ca (${foreignPki.caCert})`), err.message);
    }
    assert.equal(sim.qrsCalls.length, 0);
  });

  it('server name mismatch → 502 naming the checked name and sense.serverName', async () => {
    const [qrs, engine] = await failBoth({ serverName: 'wrong.example' });
    for (const err of [qrs, engine]) {
      assert.equal(err.statusCode, 502);
      assert.match(err.message, /does not match the name 'wrong\.example'/);
      assert.match(err.message, /sense\.serverName/);
    }
  });

  it('a client certificate the server does not trust → 502 naming sense.cert', async () => {
    const [qrs, engine] = await failBoth({ cert: pki.rogueCert, key: pki.rogueKey });
    for (const err of [qrs, engine]) {
      assert.equal(err.statusCode, 502);
      assert.ok(err.message.includes(`sense.cert (${pki.rogueCert})`), err.message);
    }
  });

  it('verifies by sense.serverName while dialling an IP address', async () => {
    const client = new SenseClient(senseConfig(pki, sim, { serverName: 'sensesim' }));
    try {
      assert.equal((await client.qrs.tasksByIds([FIXTURE.taskReloadSales])).length, 1);
      assert.ok((await listApps(client)).length >= 3);
    } finally {
      await client.close();
    }
  });

  it('rejectUnauthorized false accepts an untrusted server certificate', async () => {
    const client = new SenseClient(
      senseConfig(pki, sim, { ca: foreignPki.caCert, rejectUnauthorized: false }),
    );
    try {
      assert.equal((await client.qrs.tasksByIds([FIXTURE.taskReloadSales])).length, 1);
    } finally {
      await client.close();
    }
  });

  it('a closed client refuses further calls', async () => {
    const client = new SenseClient(senseConfig(pki, sim));
    await client.close();
    await assert.rejects(client.qrs.getJson('/qrs/task'), { code: 'SENSE_UNAVAILABLE', message: /closed/ });
  });
});

describe('Engine upgrade refused by Sense (strict simulator)', () => {
  let pki: TestPki;
  let sim: SenseSim;

  before(async () => {
    pki = await createTestPki();
    sim = await SenseSim.start({ pki, strictUser: true });
  });
  after(async () => {
    await sim.close();
    await fs.rm(pki.dir, { recursive: true, force: true });
  });

  it('an unknown Engine path is refused with its HTTP status', async () => {
    const client = new SenseClient(senseConfig(pki, sim));
    try {
      await assert.rejects(client.openEngine('/not/an/engine/path'), (err: SenseError) => {
        assert.equal(err.code, 'SENSE_ERROR');
        assert.match(err.message, /refused the WebSocket upgrade with HTTP \d{3}/);
        assert.ok(err.upstreamStatus !== undefined && err.upstreamStatus >= 400);
        return true;
      });
    } finally {
      await client.close();
    }
  });
});
