/**
 * The file backend's claim on its directory (docs/state.md, "One process owns `state.dir`"). A second
 * host on the same directory would keep its own copy of the state in memory and overwrite the first
 * one's files: key-value writes lost, a schedule claimed and fired by both. So it is refused at start.
 *
 * `<state.dir>/state/owner.lock` names the owner (host name, process id, a random token) and is touched
 * while the owner runs. A lock is taken over, never waited for, when nobody can still hold it:
 * - it is unreadable (a crash while it was being written);
 * - it names this host and a process that no longer runs (a crash, `kill -9`), or this very process
 *   with a token no open store here holds (a store never closed; an earlier process whose id was reused);
 * - it has not been touched for `staleMs` (its owner stopped without removing it: a container that
 *   came back under another host name, or a host that died on a network share).
 * Otherwise the open fails with StateLockedError naming the file and its owner. A lock taken over is
 * first moved aside (atomic), so a process that claimed the directory in between keeps it.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const LOCK_FILE = 'owner.lock';

interface Owner {
  host: string;
  pid: number;
  token: string;
  since: string;
}

/** Another live process owns the directory: start-up stops, the lock is left as it is. */
export class StateLockedError extends Error {
  constructor(
    readonly file: string,
    owner: Owner,
  ) {
    super(
      `State directory ${path.dirname(path.dirname(file))} is in use by process ${owner.pid} on ${owner.host} ` +
        `(since ${owner.since}; lock ${file}). Run one host per state.dir, or use state.backend table to ` +
        'run several. If that process is gone, the lock is taken over once it is a minute old.',
    );
    this.name = 'StateLockedError';
  }
}

export interface DirLockOptions {
  /** How often the owner touches its lock (default 10 s). */
  heartbeatMs?: number;
  /** A lock untouched this long is taken over whoever holds it (default 60 s). */
  staleMs?: number;
}

/** Tokens of the locks this process holds: a second store here on the same directory is refused too. */
const held = new Set<string>();

function readOwner(file: string): { owner: Owner; touchedMs: number } | undefined {
  try {
    const text = fs.readFileSync(file, 'utf8');
    const touchedMs = fs.statSync(file).mtimeMs;
    const value = JSON.parse(text) as Partial<Owner> | null;
    if (
      typeof value?.host !== 'string' ||
      typeof value.pid !== 'number' ||
      typeof value.token !== 'string' ||
      typeof value.since !== 'string'
    ) {
      return undefined;
    }
    return { owner: value as Owner, touchedMs };
  } catch {
    return undefined;
  }
}

function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it runs, under another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function stillHeld(owner: Owner, touchedMs: number, staleMs: number): boolean {
  if (held.has(owner.token)) return true;
  if (Date.now() - touchedMs > staleMs) return false;
  if (owner.host !== os.hostname()) return true;
  return owner.pid !== process.pid && processRuns(owner.pid);
}

const UNKNOWN_OWNER: Owner = { host: '(unknown)', pid: -1, token: '', since: '(unknown)' };

/**
 * Moves a left-behind lock out of the way. The move is atomic, so if another process claimed the
 * directory since the lock was judged left behind, what was moved is that process's lock: it is put
 * back and the claim refused.
 */
export function setAside(file: string, judgedToken: string | undefined, myToken: string): void {
  const aside = `${file}.${myToken}.old`;
  try {
    fs.renameSync(file, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  const moved = readOwner(aside);
  if (moved && moved.owner.token !== judgedToken) {
    fs.renameSync(aside, file);
    throw new StateLockedError(file, moved.owner);
  }
  fs.rmSync(aside, { force: true });
}

export class DirLock {
  readonly #timer: NodeJS.Timeout;

  private constructor(
    readonly file: string,
    private readonly token: string,
    heartbeatMs: number,
  ) {
    held.add(token);
    this.#timer = setInterval(() => {
      const now = new Date();
      fs.utimes(file, now, now, () => undefined);
    }, heartbeatMs);
    this.#timer.unref();
  }

  /** Claims `<root>/owner.lock` (creating `root`); throws StateLockedError while another owner holds it. */
  static claim(root: string, opts: DirLockOptions = {}): DirLock {
    const staleMs = opts.staleMs ?? 60_000;
    fs.mkdirSync(root, { recursive: true });
    const file = path.join(root, LOCK_FILE);
    const mine: Owner = {
      host: os.hostname(),
      pid: process.pid,
      token: randomUUID(),
      since: new Date().toISOString(),
    };
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        // 'wx': created only if absent, so of two processes starting at once exactly one gets it.
        fs.writeFileSync(file, JSON.stringify(mine), { flag: 'wx', mode: 0o600 });
        return new DirLock(file, mine.token, opts.heartbeatMs ?? 10_000);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const found = readOwner(file);
      if (found && stillHeld(found.owner, found.touchedMs, staleMs)) {
        throw new StateLockedError(file, found.owner);
      }
      setAside(file, found?.owner.token, mine.token);
    }
    throw new StateLockedError(file, readOwner(file)?.owner ?? UNKNOWN_OWNER);
  }

  /** Stops touching the lock and removes it if it is still this owner's. */
  release(): void {
    clearInterval(this.#timer);
    held.delete(this.token);
    if (readOwner(this.file)?.owner.token === this.token) fs.rmSync(this.file, { force: true });
  }
}
