/** The CLI as an operator runs it: a real child process, its output, exit codes and signals. */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { prepareConformanceApp } from './fixture-app';
import { call } from './http-client';
import {
  LISTENING,
  runCli as runCliProcess,
  stopChild,
  waitForListening,
  type CliRun,
} from '../helpers/cli-process';

let cwd: string;
let appRoot: string;
const children: ChildProcess[] = [];

before(async () => {
  appRoot = await prepareConformanceApp();
});
afterEach(async () => {
  for (const child of children.splice(0)) await stopChild(child);
});
after(async () => {
  if (cwd) await fs.rm(cwd, { recursive: true, force: true });
});

function runCli(args: string[], env: NodeJS.ProcessEnv = {}): CliRun {
  // The fixture app instead of the product's functions: this suite is about the CLI itself.
  const run = runCliProcess(args, { cwd, env: { BUTLER_APP_ROOT: appRoot, ...env } });
  children.push(run.child);
  return run;
}

describe('cli start', () => {
  before(async () => {
    cwd = await fs.mkdtemp(path.join(os.tmpdir(), 'butler-cli-'));
  });

  it('listens on the printed address, enforces keys, and exits 0 on SIGTERM', async () => {
    const run = runCli(['start', '--port', '0']);
    const [, scheme, bind, port] = await waitForListening(run);
    assert.equal(scheme, 'http');
    assert.equal(bind, '127.0.0.1');
    const url = `http://${bind}:${port}`;
    const keysDir = path.join(cwd, 'data', 'keys'); // <state.dir>/keys, state.dir defaults to ./data
    assert.ok(run.stdout().includes(keysDir), 'the keys directory is printed');
    const key = (await fs.readFile(path.join(keysDir, 'host.function.default'), 'utf8')).trim();
    assert.ok(!run.stdout().includes(key) && !run.stderr().includes(key), 'no key in the output');
    assert.equal((await call(`${url}/secret`)).status, 401);
    const ok = await call(`${url}/secret`, { headers: { 'x-functions-key': key } });
    assert.equal(ok.status, 200);
    assert.equal(ok.text, 'secret ok');
    run.child.kill('SIGTERM');
    assert.equal(await run.exited, 0);
  });

  it('rejects an unknown flag or a bad value with exit code 2 and the usage text', async () => {
    for (const args of [
      ['start', '--bogus'],
      ['start', '--port', 'abc'],
      ['start', '--port'],
      ['frobnicate'],
    ]) {
      const run = runCli(args);
      assert.equal(await run.exited, 2, args.join(' '));
      assert.match(run.stderr(), /Usage: node dist\/runtime\/cli\.js start/);
    }
  });

  it('fails start-up with exit code 1, a message and no stack, and listens on nothing', async () => {
    const run = runCli(['start', '--port', '0', '--cert', 'missing.pem', '--key', 'missing-key.pem']);
    assert.equal(await run.exited, 1);
    assert.match(run.stderr(), /failed to start: Cannot read the TLS certificate file .*missing\.pem/);
    assert.doesNotMatch(run.stderr(), /\n\s+at /, 'no stack trace');
    assert.doesNotMatch(run.stdout(), LISTENING);
  });

  it('fails with exit code 1 on a configuration error', async () => {
    const run = runCli(['start', '--port', '0', '--config', 'does-not-exist.yaml']);
    assert.equal(await run.exited, 1);
    assert.match(run.stderr(), /Configuration error: .*does-not-exist\.yaml/);
  });

  it('takes the port from the BUTLER_PORT app setting', async () => {
    const run = runCli(['start'], { BUTLER_PORT: '0', BUTLER_KEYS_DIR: path.join(cwd, 'other-keys') });
    const [, , , port] = await waitForListening(run);
    assert.notEqual(port, '8080');
    assert.ok(run.stdout().includes(path.join(cwd, 'other-keys')));
    run.child.kill('SIGINT');
    assert.equal(await run.exited, 0);
  });
});
