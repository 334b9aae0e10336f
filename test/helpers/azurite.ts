/**
 * Starts Azurite's Table service (the npm devDependency) as a child process on a free loopback port,
 * in memory, telemetry off. Tests that need it call `startAzurite()` and skip when it returns a
 * `skip` reason (printed once), so a machine without a usable Azurite still runs everything else.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** Azurite's well-known development account (public, documented by Microsoft; not a secret). */
const DEV_ACCOUNT = 'devstoreaccount1';
const DEV_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

const AZURITE_TABLE = path.resolve(
  __dirname,
  '..',
  '..',
  '..',
  'node_modules',
  'azurite',
  'dist',
  'src',
  'table',
  'main.js',
);

export interface Azurite {
  /** Connection string for `@azure/data-tables` (http, the development account). */
  connectionString: string;
  port: number;
  stop(): Promise<void>;
}

export type AzuriteStart = { azurite: Azurite; skip?: undefined } | { azurite?: undefined; skip: string };

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}

async function startOnce(port: number, cwd: string): Promise<Azurite> {
  const child = spawn(
    process.execPath,
    [
      AZURITE_TABLE,
      '--tableHost',
      '127.0.0.1',
      '--tablePort',
      String(port),
      '--inMemoryPersistence',
      '--skipApiVersionCheck',
      '--disableTelemetry',
      '--loose',
    ],
    { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, AZURITE_ACCOUNTS: undefined } },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = AbortSignal.timeout(20_000);
  try {
    while (!/successfully started|listening at/i.test(output)) {
      if (child.exitCode !== null) throw new Error(`azurite-table exited: ${output.trim()}`);
      await Promise.race([once(child.stdout, 'data', { signal: deadline }), once(child, 'exit')]);
    }
  } catch (err) {
    await stopChild(child);
    throw new Error(`azurite-table did not start: ${(err as Error).message} ${output.trim()}`);
  }
  return {
    port,
    connectionString:
      `DefaultEndpointsProtocol=http;AccountName=${DEV_ACCOUNT};AccountKey=${DEV_KEY};` +
      `TableEndpoint=http://127.0.0.1:${port}/${DEV_ACCOUNT};`,
    stop: () => stopChild(child),
  };
}

let reported = false;

/** Starts Azurite or explains why not (three attempts: a free port can be taken between probe and bind). */
export async function startAzurite(): Promise<AzuriteStart> {
  const cwd = await mkdtemp(path.join(os.tmpdir(), 'azurite-'));
  let lastError = 'unknown';
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const azurite = await startOnce(await freePort(), cwd);
      return {
        azurite: {
          ...azurite,
          async stop() {
            await azurite.stop();
            await rm(cwd, { recursive: true, force: true });
          },
        },
      };
    } catch (err) {
      lastError = (err as Error).message;
    }
  }
  await rm(cwd, { recursive: true, force: true });
  const skip = `Azurite unavailable, table-backend tests skipped: ${lastError}`;
  if (!reported) {
    reported = true;
    console.log(`# ${skip}`);
  }
  return { skip };
}
