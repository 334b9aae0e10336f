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

export interface StateTable<T> {
  get(partition: string, row: string): Promise<StateEntity<T> | undefined>;
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
}

export interface StateStore {
  /** The backend's name, for logs: `memory`, `file` or `table`. */
  readonly backend: string;
  /** A named table (letters and digits only); created on first use. */
  table<T>(name: string): StateTable<T>;
  close(): Promise<void>;
}
