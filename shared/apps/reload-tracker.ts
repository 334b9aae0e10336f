/**
 * Remembers app reloads that outlived the request's wait, so `GET /v4/app/{appId}/reload/{reloadId}`
 * can report them. Kept in memory: a reload's engine session dies with the process anyway.
 */
import { randomUUID } from 'node:crypto';

export type ReloadStatus = 'running' | 'succeeded' | 'failed';

export interface TaskStartRef {
  taskId: string;
  taskName: string;
  executionId: string | null;
}

export interface TaskStartFailure {
  taskId: string;
  taskName: string;
  statusCode: number;
  message: string;
}

export interface ReloadRecord {
  appId: string;
  reloadId: string;
  status: ReloadStatus;
  saved: boolean;
  tasksStarted: TaskStartRef[];
  tasksFailed: TaskStartFailure[];
  /** Why the app was not saved after a successful reload. */
  saveError?: string;
  /** Set when the reload could not run at all (engine error after the request was answered). */
  error?: { code: string; message: string };
  startedAt: string;
  finishedAt: string | null;
}

const KEEP_FINISHED = 500;

export class ReloadTracker {
  readonly #records = new Map<string, ReloadRecord>();
  readonly #running = new Set<Promise<unknown>>();

  create(appId: string): ReloadRecord {
    const record: ReloadRecord = {
      appId,
      reloadId: randomUUID(),
      status: 'running',
      saved: false,
      tasksStarted: [],
      tasksFailed: [],
      startedAt: new Date().toISOString(),
      finishedAt: null,
    };
    this.#records.set(record.reloadId, record);
    this.#trim();
    return record;
  }

  get(appId: string, reloadId: string): ReloadRecord | undefined {
    const record = this.#records.get(reloadId.toLowerCase());
    return record && record.appId.toLowerCase() === appId.toLowerCase() ? record : undefined;
  }

  /** Drops a reload that failed before the caller was answered: the error response reports it. */
  forget(reloadId: string): void {
    this.#records.delete(reloadId);
  }

  /** Tracks background work so shutdown can wait for it. */
  track<T>(work: Promise<T>): Promise<T> {
    this.#running.add(work);
    const forget = () => this.#running.delete(work);
    work.then(forget, forget);
    return work;
  }

  async settle(): Promise<void> {
    await Promise.allSettled([...this.#running]);
  }

  #trim(): void {
    if (this.#records.size <= KEEP_FINISHED) return;
    for (const [id, record] of this.#records) {
      if (this.#records.size <= KEEP_FINISHED) break;
      if (record.status !== 'running') this.#records.delete(id);
    }
  }
}
