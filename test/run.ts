/**
 * `npm test` entry: runs every compiled test (dist/test/**\/*.test.js, sorted) under node:test with the
 * preload. Optional arguments keep only files whose path contains one of them.
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';

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

const child = spawn(
  process.execPath,
  [
    '--test',
    '--test-concurrency=2',
    '--test-timeout=120000',
    '--require',
    path.join(testDir, 'preload.js'),
    ...files,
  ],
  { stdio: 'inherit' },
);
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
