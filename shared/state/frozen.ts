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

/** A stored row as the in-memory backends keep it: the JSON text, and the entity `peek` built once. */
export interface StoredRow {
  json: string;
  etag: string;
  peeked?: StateEntity<unknown>;
}

/**
 * What `peek` answers for a stored row: built (value parsed, all frozen) on the first read of this
 * version, then the same object for every later read of it.
 */
export function peekedEntity<T>(partition: string, row: string, stored: StoredRow): StateEntity<T> {
  stored.peeked ??= deepFreeze({
    partition,
    row,
    value: JSON.parse(stored.json) as unknown,
    etag: stored.etag,
  });
  return stored.peeked as StateEntity<T>;
}
