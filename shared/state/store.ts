/**
 * The state layer's one interface (key-value store, schedules, schedule-firing claims, alert
 * bookkeeping). It mirrors Azure Table storage's model, the scale-out backend: named tables of
 * entities addressed by (partition, row), each with an opaque ETag for optimistic concurrency.
 * Backends: memory (tests, throwaway runs), file (default, one machine), table (Azure Tables).
 */

/** A stored entity. `etag` changes on every write; pass it back to make the next write conditional. */
export interface StateEntity<T> {
  partition: string;
  row: string;
  value: T;
  etag: string;
}

/** A conditional write lost a race (the entity changed, vanished or already exists). */
export class StateConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StateConflictError';
  }
}

export function isStateConflict(err: unknown): err is StateConflictError {
  return err instanceof StateConflictError;
}

/** The backend could not be reached, timed out or failed (not a lost race). Nothing is known to be written. */
export class StateUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StateUnavailableError';
  }
}

/** A value too large for the backend to store (Azure Tables: 1 MiB per entity). Nothing was written. */
export class StateTooLargeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StateTooLargeError';
  }
}

/**
 * One step of `StateTable.batch`: the same meaning as the single-entity method of that name, except
 * that a batch delete is unconditional (Azure's transactions take no etag for deletes): guard it with
 * an etag-checked `put` in the same batch.
 */
export type StateBatchOp<T> =
  | { op: 'insert'; row: string; value: T }
  | { op: 'put'; row: string; value: T; etag?: string }
  | { op: 'delete'; row: string };

/** At most this many operations per batch (Azure's entity-group transaction limit). */
export const MAX_BATCH_OPS = 100;

export interface StateTable<T> {
  get(partition: string, row: string): Promise<StateEntity<T> | undefined>;
  /**
   * `get` answered at once, for backends that hold their data in memory (memory, file): the same
   * entity, no promise, and no copy: the entity and its value are frozen and shared by every `peek` of
   * this version (shared/state/frozen.ts), so a caller copies what it wants to change. Absent where a
   * read is I/O (table); callers then use `get`.
   */
  peek?(partition: string, row: string): StateEntity<T> | undefined;
  /** Every entity of one partition, or of the whole table when `partition` is omitted. */
  list(partition?: string): Promise<StateEntity<T>[]>;
  /** Creates the entity; StateConflictError when it already exists (the claim primitive). */
  insert(partition: string, row: string, value: T): Promise<StateEntity<T>>;
  /**
   * Writes the entity. With `etag`: only if it is still that version (else StateConflictError).
   * Without: create or replace.
   */
  put(partition: string, row: string, value: T, etag?: string): Promise<StateEntity<T>>;
  /** Removes the entity; false when it did not exist. With `etag`: only that version (else conflict). */
  delete(partition: string, row: string, etag?: string): Promise<boolean>;
  /**
   * Applies operations on distinct rows of ONE partition atomically: all or none. Any insert onto an
   * existing row, stale etag, or delete of a missing row fails the whole batch with StateConflictError.
   * Resolves with each operation's new etag (undefined for deletes), in order.
   */
  batch(partition: string, ops: StateBatchOp<T>[]): Promise<(string | undefined)[]>;
}

export interface StateStore {
  /** The backend's name, for logs: `memory`, `file` or `table`. */
  readonly backend: string;
  /** A named table (letters and digits only); created on first use. */
  table<T>(name: string): StateTable<T>;
  close(): Promise<void>;
}

/** Why no backend may run this batch (too many operations, or one row named twice), if so. */
export function batchProblem(ops: readonly StateBatchOp<unknown>[]): RangeError | undefined {
  if (ops.length > MAX_BATCH_OPS) {
    return new RangeError(`A state batch holds at most ${MAX_BATCH_OPS} operations`);
  }
  const rows = new Set(ops.map((op) => op.row));
  if (rows.size !== ops.length) return new RangeError('A state batch names a row more than once');
  return undefined;
}
