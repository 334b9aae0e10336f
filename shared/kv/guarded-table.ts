/** Store failures as the key-value service's callers see them. */
import { ApiError } from '../http/errors';
import type { Logger } from '../log';
import { StateUnavailableError, type StateTable } from '../state/store';

/**
 * The table as the service uses it: a store failure (unreachable, timed out, disk error) becomes
 * 503 STATE_UNAVAILABLE for the caller, and its detail goes to the host log only.
 */
export function guarded<T>(table: StateTable<T>, log: Logger | undefined): StateTable<T> {
  const translate = (err: unknown): never => {
    if (!(err instanceof StateUnavailableError)) throw err;
    log?.error(`key-value store: ${err.message}`);
    throw new ApiError('STATE_UNAVAILABLE', 'The key-value store is unavailable; try again later', {
      cause: err,
    });
  };
  // One small wrapper per method (no rest arguments): `get` runs twice on every key-value read.
  const peek = table.peek?.bind(table);
  return {
    get: (partition, row) => table.get(partition, row).catch(translate),
    // An in-memory read cannot meet an unavailable store: nothing to translate.
    ...(peek ? { peek } : {}),
    list: (partition) => table.list(partition).catch(translate),
    insert: (partition, row, value) => table.insert(partition, row, value).catch(translate),
    put: (partition, row, value, etag) => table.put(partition, row, value, etag).catch(translate),
    delete: (partition, row, etag) => table.delete(partition, row, etag).catch(translate),
    batch: (partition, ops) => table.batch(partition, ops).catch(translate),
  };
}
