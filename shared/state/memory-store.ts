/**
 * The `memory` state backend: tables as nested maps, lost when the process ends. Values are
 * copied in and out (through JSON, as the persistent backends store them) so callers never share
 * mutable objects with the store; `peek` shares a frozen parse instead (shared/state/frozen.ts).
 */
import {
  batchProblem,
  StateConflictError,
  type StateEntity,
  type StateStore,
  type StateTable,
} from './store';
import { peekedEntity, type StoredRow } from './frozen';

type Stored = StoredRow;

function memoryTable<T>(): StateTable<T> {
  const partitions = new Map<string, Map<string, Stored>>();
  let version = 0;

  const entity = (partition: string, row: string, stored: Stored): StateEntity<T> => ({
    partition,
    row,
    value: JSON.parse(stored.json) as T,
    etag: stored.etag,
  });

  function write(partition: string, row: string, value: T): StateEntity<T> {
    let rows = partitions.get(partition);
    if (!rows) {
      rows = new Map();
      partitions.set(partition, rows);
    }
    const stored = { json: JSON.stringify(value), etag: `m${++version}` };
    rows.set(row, stored);
    return entity(partition, row, stored);
  }

  const conflict = (what: string, partition: string, row: string) =>
    Promise.reject(new StateConflictError(`${what}: ${partition}/${row}`));

  return {
    get(partition, row) {
      const stored = partitions.get(partition)?.get(row);
      return Promise.resolve(stored ? entity(partition, row, stored) : undefined);
    },
    peek(partition, row) {
      const stored = partitions.get(partition)?.get(row);
      return stored ? peekedEntity<T>(partition, row, stored) : undefined;
    },
    list(partition) {
      const out: StateEntity<T>[] = [];
      for (const [p, rows] of partitions) {
        if (partition !== undefined && p !== partition) continue;
        for (const [row, stored] of rows) out.push(entity(p, row, stored));
      }
      return Promise.resolve(out);
    },
    insert(partition, row, value) {
      if (partitions.get(partition)?.has(row)) return conflict('entity exists', partition, row);
      return Promise.resolve(write(partition, row, value));
    },
    put(partition, row, value, etag) {
      if (etag !== undefined && partitions.get(partition)?.get(row)?.etag !== etag) {
        return conflict('entity changed', partition, row);
      }
      return Promise.resolve(write(partition, row, value));
    },
    delete(partition, row, etag) {
      const rows = partitions.get(partition);
      const stored = rows?.get(row);
      if (etag !== undefined && stored?.etag !== etag) return conflict('entity changed', partition, row);
      if (!rows || !stored) return Promise.resolve(false);
      rows.delete(row);
      if (rows.size === 0) partitions.delete(partition);
      return Promise.resolve(true);
    },
    batch(partition, ops) {
      const problem = batchProblem(ops);
      if (problem) return Promise.reject(problem);
      const rows = partitions.get(partition);
      for (const op of ops) {
        const stored = rows?.get(op.row);
        const stale = op.op === 'put' && op.etag !== undefined && stored?.etag !== op.etag;
        if ((op.op === 'insert' && stored) || stale || (op.op === 'delete' && !stored)) {
          return conflict(`batch ${op.op} refused`, partition, op.row);
        }
      }
      const etags = ops.map((op) => {
        if (op.op !== 'delete') return write(partition, op.row, op.value).etag;
        const current = partitions.get(partition);
        current?.delete(op.row);
        if (current?.size === 0) partitions.delete(partition);
        return undefined;
      });
      return Promise.resolve(etags);
    },
  };
}

export function createMemoryStateStore(): StateStore {
  const tables = new Map<string, StateTable<unknown>>();
  return {
    backend: 'memory',
    table<T>(name: string): StateTable<T> {
      let table = tables.get(name);
      if (!table) {
        table = memoryTable<unknown>();
        tables.set(name, table);
      }
      return table as StateTable<T>;
    },
    close() {
      tables.clear();
      return Promise.resolve();
    },
  };
}
