/**
 * Child process of telemetry.test.ts (the SDK patches process-wide state, so it never runs in the test
 * runner's process): builds the services from a config pointing at a Sense simulator, makes QRS and
 * Engine calls (successes and failures), closes the services (which flushes telemetry) and prints one
 * JSON line saying whether the Application Insights SDK was loaded. The egress guard fails the process
 * on any non-loopback connection (instance metadata, statsbeat). With a connection string the SDK
 * polls its settings service 5–15 s after start and no setting turns that off: that one host is
 * refused without failing, so a slow machine does not make the test flaky.
 */
import { installEgressGuard } from '../egress-guard';
installEgressGuard(
  process.env.APPLICATIONINSIGHTS_CONNECTION_STRING
    ? { tolerate: /^settings\.sdk\.monitor\.azure\.com$/i }
    : {},
);

import path from 'node:path';
import { defaultConfig } from '../../shared/config/load';
import { buildServices } from '../../shared/services';
import { dumpApp, listApps } from '../../shared/sense/apps';
import type { TestPki } from '../helpers/pki';
import { senseConfig } from '../sense/setup';
import { FIXTURE } from '../sensesim/fixtures';
import { SenseSim } from '../sensesim/index';
import { silentLogger } from '../../shared/log';

async function main(): Promise<void> {
  const pki = JSON.parse(process.env.TEST_PKI ?? '') as TestPki;
  const sim = await SenseSim.start({ pki, strictUser: true });
  const sense = senseConfig(pki, sim, { timeoutMs: 5000 });
  const services = buildServices({ ...defaultConfig(), sense }, silentLogger);
  try {
    const client = services.sense();
    await client.qrs.tasksByIds([FIXTURE.taskReloadSales]);
    await client.qrs.tasksByTags(["R&D 'secret' #tag"]);
    await client.qrs.request('GET', `/qrs/app/${FIXTURE.appUnknown}`);
    await listApps(client);
    await dumpApp(client, FIXTURE.appUnknown).catch(() => undefined);
  } finally {
    await services.close();
    await sim.close();
  }
  const sdkLoaded = Object.keys(require.cache).some((file) =>
    file.includes(`${path.sep}node_modules${path.sep}applicationinsights${path.sep}`),
  );
  process.stdout.write(
    `${JSON.stringify({ sdkLoaded, qrsPort: sim.qrsPort, enginePort: sim.enginePort })}\n`,
  );
}

main().then(
  () => process.exit(),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
