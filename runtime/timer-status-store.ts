/**
 * Where timer schedule status ({last, next, lastUpdated}) lives between host runs: the embedded host's
 * stand-in for the real host's `azure-webjobs-hosts/timers/.../status` blob.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';

export interface TimerStatus {
  last: string;
  next: string;
  lastUpdated: string;
}

export interface TimerStatusStore {
  get(name: string): Promise<TimerStatus | undefined>;
  set(name: string, s: TimerStatus): Promise<void>;
}

const SAFE_TIMER_NAME = /^[A-Za-z0-9_-]{1,128}$/;

export function memoryTimerStatusStore(): TimerStatusStore {
  const statuses = new Map<string, TimerStatus>();
  return {
    get: (name) => {
      const status = statuses.get(name);
      return Promise.resolve(status ? { ...status } : undefined);
    },
    set: (name, status) => {
      statuses.set(name, { ...status });
      return Promise.resolve();
    },
  };
}

function statusFile(dir: string, name: string): string {
  // names become file names: refuse anything that could leave the directory
  if (!SAFE_TIMER_NAME.test(name))
    throw new Error(`timer name "${name}" cannot be used as a status file name`);
  return path.join(dir, `${name.toLowerCase()}.status.json`);
}

function isTimerStatus(value: unknown): value is TimerStatus {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return ['last', 'next', 'lastUpdated'].every((key) => typeof record[key] === 'string');
}

/** one JSON file per timer, written atomically (tmp + rename) so a crash never leaves half a file */
export function fileTimerStatusStore(dir: string): TimerStatusStore {
  return {
    async get(name) {
      const file = statusFile(dir, name);
      let text: string;
      try {
        text = await fs.readFile(file, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new Error(`timer status file ${file} is not valid JSON`);
      }
      if (!isTimerStatus(parsed)) throw new Error(`timer status file ${file} lacks last/next/lastUpdated`);
      return { last: parsed.last, next: parsed.next, lastUpdated: parsed.lastUpdated };
    },
    async set(name, status) {
      const file = statusFile(dir, name);
      await fs.mkdir(dir, { recursive: true });
      const temporary = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
      const body = JSON.stringify({ last: status.last, next: status.next, lastUpdated: status.lastUpdated });
      try {
        await fs.writeFile(temporary, `${body}\n`, { mode: 0o600 });
        await fs.rename(temporary, file);
      } catch (error) {
        await fs.rm(temporary, { force: true });
        throw error;
      }
    },
  };
}
