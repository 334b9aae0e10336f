/**
 * A Sense simulator plus the product host configured to use it over mTLS: the set-up every
 * Sense-facing integration test shares. Certificates are copies of the set generated once per run (helpers/pki.ts).
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { createTestPki, type TestPki } from './pki';
import { startProductHost, type ProductHost, type ProductHostOptions } from './product-host';
import { SenseSim } from '../sensesim/index';
import type { SenseFixtures } from '../sensesim/types';

export interface SenseEnv {
  pki: TestPki;
  sim: SenseSim;
  api: ProductHost;
  close(): Promise<void>;
}

export interface SenseEnvOptions extends ProductHostOptions {
  /** Merged into the `sense` section after the simulator's connection settings. */
  sense?: Record<string, unknown>;
  strictUser?: boolean;
  fixtures?: SenseFixtures;
}

export function senseSettings(sim: SenseSim, pki: TestPki): Record<string, unknown> {
  return {
    host: sim.host,
    qrsPort: sim.qrsPort,
    enginePort: sim.enginePort,
    serverName: 'localhost',
    cert: pki.clientCert,
    key: pki.clientKey,
    ca: pki.caCert,
    timeoutMs: 5000,
  };
}

export async function startSenseEnv(opts: SenseEnvOptions = {}): Promise<SenseEnv> {
  const pki = await createTestPki();
  const sim = await SenseSim.start({ pki, strictUser: opts.strictUser ?? true, fixtures: opts.fixtures });
  const { sense, strictUser: _s, fixtures: _f, ...hostOpts } = opts;
  let api: ProductHost;
  try {
    api = await startProductHost({
      ...hostOpts,
      config: { ...opts.config, sense: { ...senseSettings(sim, pki), ...sense } },
    });
  } catch (err) {
    await sim.close();
    await rm(pki.dir, { recursive: true, force: true });
    throw err;
  }
  return {
    pki,
    sim,
    api,
    async close() {
      await api.close();
      await sim.close();
      await rm(pki.dir, { recursive: true, force: true });
    },
  };
}

/**
 * Every call the simulator recorded came from our client certificate, with a matching xrfkey (QRS)
 * and the configured X-Qlik-User. Returns how many calls were checked.
 */
export function assertSenseIdentity(
  sim: SenseSim,
  user = { directory: 'INTERNAL', id: 'sa_repository' },
): number {
  for (const call of sim.qrsCalls) {
    assert.equal(call.peerCN, 'QlikClient', `${call.method} ${call.path}: client certificate`);
    assert.equal(call.xrfkeyOk, true, `${call.method} ${call.path}: xrfkey`);
    assert.deepEqual(call.user, user, `${call.method} ${call.path}: X-Qlik-User`);
  }
  for (const connection of sim.engineConnections) {
    assert.equal(connection.peerCN, 'QlikClient', `engine ${connection.path}: client certificate`);
    assert.deepEqual(connection.user, user, `engine ${connection.path}: X-Qlik-User`);
  }
  return sim.qrsCalls.length + sim.engineConnections.length;
}
