import { promises as fs } from 'node:fs';
import path from 'node:path';
import { startEmbeddedHost, type EmbeddedHostOptions } from '../../runtime/host';
import { LogCapture, type FixtureHost } from './fixture-host';

/** The compiled streaming app (dist mirrors the tree, so this is dist/test/fixtures/stream-app). */
export const STREAM_APP = path.resolve(__dirname, '..', 'fixtures', 'stream-app');

async function writeAtomically(file: string, text: string): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(temp, text);
  await fs.rename(temp, file);
}

/** Writes package.json (main glob) and host.json next to the compiled functions; returns the app root. */
export async function prepareStreamApp(): Promise<string> {
  await writeAtomically(
    path.join(STREAM_APP, 'package.json'),
    JSON.stringify({ name: 'stream-app', private: true, main: 'functions/*.js' }, null, 2),
  );
  await writeAtomically(
    path.join(STREAM_APP, 'host.json'),
    JSON.stringify(
      {
        version: '2.0',
        functionTimeout: '00:05:00',
        extensions: { http: { routePrefix: '', customHeaders: { 'X-Content-Type-Options': 'nosniff' } } },
      },
      null,
      2,
    ),
  );
  return STREAM_APP;
}

/** Starts the embedded host on the streaming app (port 0, loopback, temp keys). */
export async function startStreamHost(opts: Partial<EmbeddedHostOptions> = {}): Promise<FixtureHost> {
  const root = await prepareStreamApp();
  const logs = new LogCapture();
  const host = await startEmbeddedHost({ port: 0, localSettings: false, ...opts, root, log: logs.sink });
  return { host, logs, url: host.url };
}
