/**
 * The `file` state backend (the default): one JSON file per (table, partition) under
 * `<state.dir>/state/<table>/`, all loaded into memory at start so reads never touch the disk.
 *
 * Writes are serialised per partition file and committed crash-safely: the whole file is written to
 * a temporary file, fsynced, renamed over the old one, and the directory fsynced. A write is only
 * acknowledged after that, so a crash (even kill -9) leaves either the old or the new file, never a
 * torn one. Writes that arrive while a file is being written are grouped into its next commit.
 *
 * One process owns the directory: two processes writing the same `state.dir` would overwrite each
 * other's files (use the `table` backend to scale out), so the store claims it at open and a second
 * open while the owner runs fails (shared/state/dir-lock.ts). A file that cannot be read at start stops
 * the start with an error naming it; it is never emptied or rewritten.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DirLock, type DirLockOptions } from './dir-lock';
import { peekedEntity, type StoredRow } from './frozen';
import {
  batchProblem,
  StateConflictError,
  StateUnavailableError,
  type StateBatchOp,
  type StateEntity,
  type StateStore,
  type StateTable,
} from './store';

const FORMAT = 'butler-state/1';
const FILE_NAME = /^[0-9a-f]{32}\.json$/;
const TEMP_NAME = /^[0-9a-f]{32}\.json\.[0-9a-z.]+\.tmp$/;

/** A state file exists but cannot be read: start-up stops, the file is left as it is. */
export class StateCorruptError extends Error {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(
      `State file ${file} is unreadable (${reason}). It was left untouched: restore it from a backup or move it away, then start again.`,
    );
    this.name = 'StateCorruptError';
  }
}

type Stored = StoredRow;

interface FileContent {
  format: string;
  table: string;
  partition: string;
  rows: { row: string; etag: string; value: unknown }[];
}

interface Pending {
  /** Applies the change to `rows` (or throws a conflict), recording how to undo it. */
  apply(rows: Map<string, Stored>, undo: (() => void)[]): unknown;
  resolve(result: unknown): void;
  reject(err: unknown): void;
}

function fileNameOf(partition: string): string {
  return `${createHash('sha256').update(partition, 'utf8').digest('hex').slice(0, 32)}.json`;
}

function fsyncDir(dir: string): Promise<void> {
  // Windows cannot open a directory for fsync; its rename is durable enough there.
  if (process.platform === 'win32') return Promise.resolve();
  return fs.promises.open(dir, 'r').then(async (handle) => {
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  });
}

function parseFile(file: string, table: string): FileContent {
  let content: unknown;
  try {
    content = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new StateCorruptError(file, `not valid JSON: ${(err as Error).message}`);
  }
  const c = content as Partial<FileContent> | null;
  if (!c || typeof c !== 'object' || c.format !== FORMAT) {
    throw new StateCorruptError(file, `not a ${FORMAT} file`);
  }
  if (c.table !== table || typeof c.partition !== 'string' || !Array.isArray(c.rows)) {
    throw new StateCorruptError(file, 'missing or wrong table, partition or rows');
  }
  if (fileNameOf(c.partition) !== path.basename(file)) {
    throw new StateCorruptError(file, 'the file name does not match its partition');
  }
  for (const r of c.rows as unknown[]) {
    const row = r as Partial<FileContent['rows'][number]> | null;
    if (!row || typeof row.row !== 'string' || typeof row.etag !== 'string' || !('value' in row)) {
      throw new StateCorruptError(file, 'a row lacks row, etag or value');
    }
  }
  return c as FileContent;
}

class PartitionFile {
  readonly rows = new Map<string, Stored>();
  private queue: Pending[] = [];
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly owner: FileTable<unknown>,
    readonly partition: string,
    readonly file: string,
  ) {}

  mutate<R>(apply: Pending['apply']): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ apply, resolve: resolve, reject });
      this.flushing ??= this.flush();
    });
  }

  /** Resolves when every queued change has been committed or refused. */
  idle(): Promise<void> {
    return this.flushing ?? Promise.resolve();
  }

  /** Commits queued changes, a group at a time, until the queue is empty. */
  private async flush(): Promise<void> {
    await Promise.resolve(); // let callers of the same tick join the first group
    try {
      while (this.queue.length > 0) {
        const group = this.queue;
        this.queue = [];
        const undo: (() => void)[] = [];
        const applied: { op: Pending; result: unknown }[] = [];
        for (const op of group) {
          const mark = undo.length;
          try {
            applied.push({ op, result: op.apply(this.rows, undo) });
          } catch (err) {
            // A failed operation must leave nothing behind, even if it changed rows before failing.
            for (const step of undo.splice(mark).reverse()) step();
            op.reject(err);
          }
        }
        if (applied.length === 0) continue;
        try {
          await this.owner.persist(this);
          for (const { op, result } of applied) op.resolve(result);
        } catch (err) {
          for (const step of undo.reverse()) step();
          const code = (err as NodeJS.ErrnoException).code ?? (err as Error).name;
          const failure = new StateUnavailableError(`Writing state file ${this.file} failed (${code})`, {
            cause: err,
          });
          for (const { op } of applied) op.reject(failure);
        }
      }
    } finally {
      this.flushing = undefined;
      if (this.rows.size === 0) this.owner.release(this);
    }
  }
}

class FileTable<T> implements StateTable<T> {
  private readonly partitions = new Map<string, PartitionFile>();
  private dirReady = false;

  constructor(
    readonly name: string,
    readonly dir: string,
    private readonly nextEtag: () => string,
  ) {
    this.load();
  }

  /** Reads every partition file of this table (synchronously: this runs once, at start). */
  private load(): void {
    let names: string[];
    try {
      names = fs.readdirSync(this.dir);
      this.dirReady = true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    for (const name of names) {
      const file = path.join(this.dir, name);
      // A temporary file is a write that never committed (the process died before the rename).
      if (TEMP_NAME.test(name)) fs.rmSync(file, { force: true });
      if (!FILE_NAME.test(name)) continue;
      const content = parseFile(file, this.name);
      const part = new PartitionFile(this, content.partition, file);
      for (const r of content.rows) part.rows.set(r.row, { json: JSON.stringify(r.value), etag: r.etag });
      if (part.rows.size > 0) this.partitions.set(content.partition, part);
    }
  }

  private partitionFile(partition: string): PartitionFile {
    let part = this.partitions.get(partition);
    if (!part) {
      part = new PartitionFile(this, partition, path.join(this.dir, fileNameOf(partition)));
      this.partitions.set(partition, part);
    }
    return part;
  }

  /** Forgets an empty partition with nothing queued, so deleted partitions cost no memory. */
  release(part: PartitionFile): void {
    if (this.partitions.get(part.partition) === part) this.partitions.delete(part.partition);
  }

  idle(): Promise<void> {
    return Promise.all([...this.partitions.values()].map((p) => p.idle())).then(() => undefined);
  }

  /** Writes one partition's file atomically, or removes it when the partition is empty. */
  async persist(part: PartitionFile): Promise<void> {
    if (!this.dirReady) {
      await fs.promises.mkdir(this.dir, { recursive: true });
      this.dirReady = true;
    }
    if (part.rows.size === 0) {
      await fs.promises.rm(part.file, { force: true });
      await fsyncDir(this.dir);
      return;
    }
    // Built from the stored JSON text directly: no re-parsing of values on every commit.
    const rows = [...part.rows].map(
      ([row, stored]) =>
        `{"row":${JSON.stringify(row)},"etag":${JSON.stringify(stored.etag)},"value":${stored.json}}`,
    );
    const text =
      `{"format":${JSON.stringify(FORMAT)},"table":${JSON.stringify(this.name)},` +
      `"partition":${JSON.stringify(part.partition)},"rows":[${rows.join(',')}]}`;
    const temp = `${part.file}.${process.pid}.${this.nextEtag()}.tmp`;
    const handle = await fs.promises.open(temp, 'w', 0o600);
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await fs.promises.rename(temp, part.file);
    } catch (err) {
      await fs.promises.rm(temp, { force: true });
      throw err;
    }
    await fsyncDir(this.dir);
  }

  private entity(partition: string, row: string, stored: Stored): StateEntity<T> {
    return { partition, row, value: JSON.parse(stored.json) as T, etag: stored.etag };
  }

  /** Sets a row, recording how to restore its previous state. */
  private setRow(rows: Map<string, Stored>, row: string, value: T, undo: (() => void)[]): string {
    const previous = rows.get(row);
    const stored = { json: JSON.stringify(value), etag: this.nextEtag() };
    rows.set(row, stored);
    undo.push(() => (previous ? rows.set(row, previous) : rows.delete(row)));
    return stored.etag;
  }

  private deleteRow(rows: Map<string, Stored>, row: string, undo: (() => void)[]): void {
    const previous = rows.get(row);
    if (!previous) return;
    rows.delete(row);
    undo.push(() => rows.set(row, previous));
  }

  private conflict(what: string, partition: string, row: string): StateConflictError {
    return new StateConflictError(`${what}: ${partition}/${row}`);
  }

  get(partition: string, row: string): Promise<StateEntity<T> | undefined> {
    const stored = this.partitions.get(partition)?.rows.get(row);
    return Promise.resolve(stored ? this.entity(partition, row, stored) : undefined);
  }

  peek(partition: string, row: string): StateEntity<T> | undefined {
    const stored = this.partitions.get(partition)?.rows.get(row);
    return stored ? peekedEntity<T>(partition, row, stored) : undefined;
  }

  list(partition?: string): Promise<StateEntity<T>[]> {
    const out: StateEntity<T>[] = [];
    for (const [p, part] of this.partitions) {
      if (partition !== undefined && p !== partition) continue;
      for (const [row, stored] of part.rows) out.push(this.entity(p, row, stored));
    }
    return Promise.resolve(out);
  }

  insert(partition: string, row: string, value: T): Promise<StateEntity<T>> {
    const json = JSON.stringify(value);
    return this.partitionFile(partition).mutate((rows, undo) => {
      if (rows.has(row)) throw this.conflict('entity exists', partition, row);
      const etag = this.setRow(rows, row, value, undo);
      return { partition, row, value: JSON.parse(json) as T, etag };
    });
  }

  put(partition: string, row: string, value: T, etag?: string): Promise<StateEntity<T>> {
    const json = JSON.stringify(value);
    return this.partitionFile(partition).mutate((rows, undo) => {
      if (etag !== undefined && rows.get(row)?.etag !== etag) {
        throw this.conflict('entity changed', partition, row);
      }
      const newEtag = this.setRow(rows, row, value, undo);
      return { partition, row, value: JSON.parse(json) as T, etag: newEtag };
    });
  }

  delete(partition: string, row: string, etag?: string): Promise<boolean> {
    const part = this.partitions.get(partition);
    if (!part) {
      return etag === undefined
        ? Promise.resolve(false)
        : Promise.reject(this.conflict('entity changed', partition, row));
    }
    return part.mutate((rows, undo) => {
      const stored = rows.get(row);
      if (etag !== undefined && stored?.etag !== etag) throw this.conflict('entity changed', partition, row);
      if (!stored) return false;
      this.deleteRow(rows, row, undo);
      return true;
    });
  }

  batch(partition: string, ops: StateBatchOp<T>[]): Promise<(string | undefined)[]> {
    const problem = batchProblem(ops);
    if (problem) return Promise.reject(problem);
    return this.partitionFile(partition).mutate((rows, undo) => {
      for (const op of ops) {
        const stored = rows.get(op.row);
        const stale = op.op === 'put' && op.etag !== undefined && stored?.etag !== op.etag;
        if ((op.op === 'insert' && stored) || stale || (op.op === 'delete' && !stored)) {
          throw this.conflict(`batch ${op.op} refused`, partition, op.row);
        }
      }
      return ops.map((op) => {
        if (op.op !== 'delete') return this.setRow(rows, op.row, op.value, undo);
        this.deleteRow(rows, op.row, undo);
        return undefined;
      });
    });
  }
}

export function createFileStateStore(opts: { dir: string; lock?: DirLockOptions }): StateStore {
  const root = path.resolve(opts.dir, 'state');
  // Claimed before anything is read, so no other host writes while this one loads (StateLockedError).
  const lock = DirLock.claim(root, opts.lock);
  const tables = new Map<string, FileTable<unknown>>();
  // Unique across restarts too (the start time leads), so a stale etag can never match again.
  const prefix = `${Date.now().toString(36)}${process.pid.toString(36)}`;
  let counter = 0;
  const nextEtag = () => `${prefix}.${(++counter).toString(36)}`;

  const open = (name: string): FileTable<unknown> => {
    let table = tables.get(name);
    if (!table) {
      table = new FileTable<unknown>(name, path.join(root, name), nextEtag);
      tables.set(name, table);
    }
    return table;
  };

  // Every existing table is read now, so a corrupt file stops the start rather than a later request.
  try {
    for (const entry of fs.readdirSync(root, { withFileTypes: true }))
      if (entry.isDirectory() && /^[A-Za-z][A-Za-z0-9]*$/.test(entry.name)) open(entry.name);
  } catch (err) {
    lock.release();
    throw err;
  }

  return {
    backend: 'file',
    table<T>(name: string): StateTable<T> {
      if (!/^[A-Za-z][A-Za-z0-9]*$/.test(name)) throw new RangeError(`Bad state table name '${name}'`);
      return open(name) as StateTable<T>;
    },
    async close() {
      // Acknowledged writes are already on disk; this only waits for writes still being committed.
      await Promise.all([...tables.values()].map((t) => t.idle()));
      lock.release();
    },
  };
}
