/**
 * Telemetry reaches Application Insights only when APPLICATIONINSIGHTS_CONNECTION_STRING is set. A local
 * HTTPS ingestion stand-in (test CA trusted through NODE_EXTRA_CA_CERTS) records what a child process
 * sends after real QRS and Engine calls against the Sense simulator.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { createTestPki, type TestPki } from '../helpers/pki';
import { FIXTURE } from '../sensesim/fixtures';

const CHILD = path.join(__dirname, 'sense-calls-child.js');
const CHILD_LIMIT_MS = 90_000;

interface Envelope {
  name?: string;
  iKey?: string;
  data?: { baseType?: string; baseData?: Record<string, unknown> };
}

let pki: TestPki;
let server: https.Server;
let port: number;
const received: { path: string; text: string }[] = [];

before(async () => {
  pki = await createTestPki();
  const [cert, key] = await Promise.all([fs.readFile(pki.serverCert), fs.readFile(pki.serverKey)]);
  server = https.createServer({ cert, key }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const text = (req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
      received.push({ path: req.url ?? '', text });
      const items = envelopesOf(text).length;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ itemsReceived: items, itemsAccepted: items, errors: [] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await fs.rm(pki.dir, { recursive: true, force: true });
});

function envelopesOf(text: string): Envelope[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) return JSON.parse(trimmed) as Envelope[];
  return trimmed
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Envelope);
}

async function runChild(
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const base = { ...process.env };
  delete base.APPLICATIONINSIGHTS_CONNECTION_STRING;
  const child = spawn(process.execPath, [CHILD], {
    env: {
      ...base,
      TEST_PKI: JSON.stringify(pki),
      // Quiet and deterministic SDK: no statsbeat, every span sampled, an Azure platform so no IMDS probe.
      APPLICATIONINSIGHTS_STATSBEAT_DISABLED: 'true',
      APPLICATION_INSIGHTS_NO_STATSBEAT: 'true',
      APPLICATIONINSIGHTS_SDKSTATS_DISABLED: 'true',
      OTEL_TRACES_SAMPLER: 'always_on',
      WEBSITE_SITE_NAME: 'butler-telemetry-test',
      FUNCTIONS_EXTENSION_VERSION: '~4',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const limit = setTimeout(() => child.kill('SIGKILL'), CHILD_LIMIT_MS);
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  clearTimeout(limit);
  return { code, stdout, stderr };
}

function lastJsonLine(stdout: string): { sdkLoaded: boolean; qrsPort: number; enginePort: number } {
  const line = stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as { sdkLoaded: boolean; qrsPort: number; enginePort: number };
}

describe('telemetry', () => {
  it('without the connection string loads nothing and sends nothing', async () => {
    received.length = 0;
    const run = await runChild({});
    assert.equal(run.code, 0, run.stderr);
    assert.equal(lastJsonLine(run.stdout).sdkLoaded, false);
    assert.deepEqual(received, []);
  });

  it('with the connection string reports QRS and Engine calls as dependencies, without secrets', async () => {
    received.length = 0;
    const iKey = randomUUID();
    const run = await runChild({
      APPLICATIONINSIGHTS_CONNECTION_STRING: `InstrumentationKey=${iKey};IngestionEndpoint=https://127.0.0.1:${port}/`,
      NODE_EXTRA_CA_CERTS: pki.caCert,
    });
    assert.equal(run.code, 0, run.stderr);
    assert.doesNotMatch(run.stderr, /egress guard/);
    const { sdkLoaded, qrsPort, enginePort } = lastJsonLine(run.stdout);
    assert.equal(sdkLoaded, true);
    assert.ok(received.length > 0, 'the ingestion stand-in received telemetry');
    assert.ok(
      received.every((r) => r.path.startsWith('/v2.1/track')),
      received.map((r) => r.path).join(),
    );

    const all = received.flatMap((r) => envelopesOf(r.text));
    assert.ok(all.every((e) => e.iKey === iKey));
    const deps = all
      .filter((e) => e.data?.baseType === 'RemoteDependencyData')
      .map((e) => e.data?.baseData ?? {});
    const find = (name: string, resultCode: string): Record<string, unknown> => {
      const dep = deps.find((d) => d.name === name && d.resultCode === resultCode);
      assert.ok(dep, `${name} → ${resultCode} in ${JSON.stringify(deps.map((d) => [d.name, d.resultCode]))}`);
      return dep;
    };
    const qrsTarget = `127.0.0.1:${qrsPort}`;
    const engineTarget = `127.0.0.1:${enginePort}`;

    const lookup = find('GET /qrs/task', '200');
    assert.equal(lookup.success, true);
    assert.equal(lookup.target, qrsTarget);
    assert.equal(lookup.data, `https://${qrsTarget}/qrs/task`);
    assert.match(String(lookup.duration), /^(\d+\.)?\d\d:\d\d:\d\d\.\d+$/);
    assert.equal(find('GET /qrs/task/full', '200').success, true);
    const missing = find(`GET /qrs/app/${FIXTURE.appUnknown}`, '404');
    assert.equal(missing.success, false);

    const upgrade = find('GET /', '101');
    assert.equal(upgrade.target, engineTarget);
    assert.equal(upgrade.data, `wss://${engineTarget}/`);
    assert.equal(find('GetDocList /', 'OK').success, true);
    const openDoc = find('OpenDoc /app/engineData', '1003');
    assert.equal(openDoc.success, false);

    // Never the query (filters, xrfkey), certificates or keys.
    const text = received.map((r) => r.text).join('\n');
    for (const secret of [
      'xrfkey',
      'Xrfkey',
      'filter',
      'secret',
      'R&D',
      'R%26D',
      'PRIVATE KEY',
      'X-Qlik-User',
    ]) {
      assert.ok(!text.includes(secret), `telemetry contains ${secret}`);
    }
  });
});
