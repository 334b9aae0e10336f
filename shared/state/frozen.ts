import type { StateEntity } from './store';

/**
 * Values that `peek` hands out without copying (shared/state/store.ts): parsed once per stored version
 * and frozen all the way down, so a caller that tried to change one would fail instead of changing
 * what the next reader sees.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/** A stored row as the in-memory backends keep it: the JSON text, and its frozen parse once read. */
export interface StoredRow {
  json: string;
  etag: string;
  frozen?: unknown;
}

/** What `peek` answers for a stored row: its value parsed on the first read of this version, then shared. */
export function peekedEntity<T>(partition: string, row: string, stored: StoredRow): StateEntity<T> {
  stored.frozen ??= deepFreeze(JSON.parse(stored.json) as unknown);
  return { partition, row, value: stored.frozen as T, etag: stored.etag };
}
