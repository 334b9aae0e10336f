/** Runs the host CLI as an operator would: a real child process, its output, exit code and signals. */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';

export const CLI = path.resolve(__dirname, '..', '..', 'runtime', 'cli.js');
export const LISTENING = /Butler Functions host listening on (https?):\/\/([^\s]+):(\d+)/;

export interface CliRun {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

export function runCli(args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }): CliRun {
  let out = '';
  let err = '';
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Resolves with the listening line's match ([, scheme, host, port]); rejects if the CLI exits first. */
export async function waitForListening(run: CliRun, timeoutMs = 20_000): Promise<RegExpExecArray> {
  const deadline = AbortSignal.timeout(timeoutMs);
  for (;;) {
    const match = LISTENING.exec(run.stdout());
    if (match) return match;
    if (run.child.exitCode !== null) throw new Error(`CLI exited early: ${run.stderr()}`);
    await Promise.race([once(run.child.stdout!, 'data', { signal: deadline }), once(run.child, 'exit')]);
  }
}

/** Kills a child that is still running and waits for it. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
    await once(child, 'exit');
  }
}
