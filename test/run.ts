/**
 * `npm test` entry: runs every compiled test (dist/test/**\/*.test.js, sorted) under node:test with the
 * preload. Optional arguments keep only files whose path contains one of them. `TEST_CONCURRENCY` sets
 * how many test files run at once (see `concurrency` and docs/testing.md). The test certificates are generated
 * here, once per run, into a temp dir that every test file copies from and that is removed afterwards.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateRunPki, RUN_PKI_ENV } from './helpers/pki';

function collect(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...collect(full));
    else if (entry.isFile() && entry.name.endsWith('.test.js')) out.push(full);
  }
  return out;
}

const testDir = __dirname;
const filters = process.argv.slice(2);
const files = collect(testDir)
  .sort()
  .filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)));

if (files.length === 0) {
  process.stderr.write(
    `No test files found under ${testDir}${filters.length ? ` matching ${filters.join(', ')}` : ''}\n`,
  );
  process.exit(1);
}

/**
 * Test files run at once: `TEST_CONCURRENCY`, else one per CPU but at least 2 (most files wait on
 * sockets and child processes more than they compute, so a 2-core CI machine still runs two).
 */
function concurrency(): number {
  const raw = process.env.TEST_CONCURRENCY;
  if (raw === undefined || raw === '') return Math.max(2, os.availableParallelism());
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    process.stderr.write(`TEST_CONCURRENCY must be a positive integer, got "${raw}"\n`);
    process.exit(2);
  }
  return n;
}

const workers = concurrency();
const pkiRoot = mkdtempSync(path.join(os.tmpdir(), 'butler-test-run-'));
const removePki = (): void => rmSync(pkiRoot, { recursive: true, force: true });
process.once('exit', removePki);

async function main(): Promise<number> {
  await generateRunPki(pkiRoot);
  const child = spawn(
    process.execPath,
    [
      '--test',
      `--test-concurrency=${workers}`,
      '--test-timeout=120000',
      '--require',
      path.join(testDir, 'preload.js'),
      ...files,
    ],
    { stdio: 'inherit', env: { ...process.env, [RUN_PKI_ENV]: pkiRoot } },
  );
  // Ctrl-C reaches the child too (same process group); wait for it so the certificates outlive it.
  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`test run failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
