/** Store failures as the key-value service's callers see them. */
import { ApiError } from '../http/errors';
import type { Logger } from '../log';
import { StateUnavailableError, type StateTable } from '../state/store';

/**
 * The table as the service uses it: a store failure (unreachable, timed out, disk error) becomes
 * 503 STATE_UNAVAILABLE for the caller, and its detail goes to the host log only.
 */
export function guarded<T>(table: StateTable<T>, log: Logger | undefined): StateTable<T> {
  const guard =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> =>
      fn(...args).catch((err: unknown) => {
        if (!(err instanceof StateUnavailableError)) throw err;
        log?.error(`key-value store: ${err.message}`);
        throw new ApiError('STATE_UNAVAILABLE', 'The key-value store is unavailable; try again later', {
          cause: err,
        });
      });
  return {
    get: guard(table.get.bind(table)),
    list: guard(table.list.bind(table)),
    insert: guard(table.insert.bind(table)),
    put: guard(table.put.bind(table)),
    delete: guard(table.delete.bind(table)),
    batch: guard(table.batch.bind(table)),
  };
}
