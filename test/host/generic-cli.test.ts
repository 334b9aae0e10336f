/**
 * The CLI knows no product: shipped in a package whose package.json names no host profile, it serves a
 * function app with the host's own defaults (generic name, no app settings behind the flags, no
 * `--config`, a temporary key directory). The package is assembled from symbolic links to the compiled
 * host and the conformance fixture app.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { CONFORMANCE_APP, prepareConformanceApp } from './fixture-app';
import { call } from './http-client';

const REPO = path.resolve(__dirname, '..', '..', '..');
const LISTENING = /^Functions host listening on http:\/\/127\.0\.0\.1:(\d+)$/m;
let pkg: string;
const children: ChildProcess[] = [];

before(async () => {
  await prepareConformanceApp();
  pkg = await fs.mkdtemp(path.join(os.tmpdir(), 'generic-cli-'));
  await fs.mkdir(path.join(pkg, 'dist'));
  await fs.symlink(path.join(REPO, 'dist', 'runtime'), path.join(pkg, 'dist', 'runtime'), 'dir');
  await fs.symlink(path.join(REPO, 'node_modules'), path.join(pkg, 'node_modules'), 'dir');
  for (const dir of ['functions', 'lib']) {
    await fs.symlink(path.join(CONFORMANCE_APP, dir), path.join(pkg, dir), 'dir');
  }
  await fs.copyFile(path.join(CONFORMANCE_APP, 'host.json'), path.join(pkg, 'host.json'));
  await fs.writeFile(
    path.join(pkg, 'package.json'),
    JSON.stringify({ name: 'some-app', private: true, main: 'functions/*.js' }),
  );
});
afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
  }
});
after(async () => {
  if (pkg) await fs.rm(pkg, { recursive: true, force: true });
});

function run(args: string[], env: NodeJS.ProcessEnv = {}): { child: ChildProcess; out: () => string } {
  // Without preserving symlinks Node would resolve cli.js to the project's own copy (and its profile).
  const child = spawn(
    process.execPath,
    ['--preserve-symlinks', '--preserve-symlinks-main', path.join(pkg, 'dist', 'runtime', 'cli.js'), ...args],
    { cwd: pkg, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.push(child);
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return { child, out: () => out };
}

/** The first match of `pattern` in the CLI's output, waiting for more output until it appears. */
async function waitFor(
  cli: { child: ChildProcess; out: () => string },
  pattern: RegExp,
): Promise<RegExpExecArray> {
  const deadline = AbortSignal.timeout(20_000);
  for (;;) {
    const match = pattern.exec(cli.out());
    if (match) return match;
    if (cli.child.exitCode !== null) throw new Error(`CLI exited early: ${cli.out()}`);
    await Promise.race([once(cli.child.stdout!, 'data', { signal: deadline }), once(cli.child, 'exit')]);
  }
}

describe('generic cli (no host profile)', () => {
  it('serves the app with the host defaults and no product names', async () => {
    // A product's setting means nothing to the generic CLI: this port is not used.
    const cli = run(['start', '--port', '0'], { BUTLER_PORT: '1', BUTLER_KEYS_DIR: path.join(pkg, 'nope') });
    const port = Number((await waitFor(cli, LISTENING))[1]);
    // The key directory is printed after the listening line, possibly in a later chunk.
    const keysLine = await waitFor(cli, /^Function keys directory: (.+)$/m);
    assert.ok(keysLine?.[1]?.startsWith(path.join(os.tmpdir(), 'functions-keys-')), cli.out());
    const home = await call(`http://127.0.0.1:${port}/`);
    assert.equal(home.status, 200);
    assert.match(home.text, /<title>Functions<\/title>/);
    assert.doesNotMatch(cli.out() + home.text, /butler/i);
    assert.equal((await call(`http://127.0.0.1:${port}/secret`)).status, 401);
    cli.child.kill('SIGTERM');
    assert.equal((await once(cli.child, 'exit'))[0], 0);
    await assert.rejects(fs.stat(keysLine?.[1] ?? ''), 'the temporary key directory is removed on exit');
  });

  it('has no --config flag and no app settings in its usage', async () => {
    const cli = run(['start', '--config', 'x.yaml']);
    assert.equal((await once(cli.child, 'exit'))[0], 2);
    assert.match(cli.out(), /Unknown flag "--config"/);
    assert.match(cli.out(), /^Flags:$/m);
    assert.doesNotMatch(cli.out(), /BUTLER|\[[A-Z_]+\]/);
  });
});
