import { promises as fs } from 'node:fs';
import path from 'node:path';

/** The compiled conformance app (dist mirrors the tree, so this is dist/test/fixtures/conformance-app). */
export const CONFORMANCE_APP = path.resolve(__dirname, '..', 'fixtures', 'conformance-app');

async function writeAtomically(file: string, text: string): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(temp, text);
  await fs.rename(temp, file);
}

/** Writes package.json (main glob) and host.json next to the compiled functions; returns the app root. */
export async function prepareConformanceApp(): Promise<string> {
  await writeAtomically(
    path.join(CONFORMANCE_APP, 'package.json'),
    JSON.stringify({ name: 'conformance-app', private: true, main: 'functions/*.js' }, null, 2),
  );
  await writeAtomically(
    path.join(CONFORMANCE_APP, 'host.json'),
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
  return CONFORMANCE_APP;
}
