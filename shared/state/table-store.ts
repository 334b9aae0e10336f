/**
 * The `table` state backend: Azure Table storage (Azurite locally) through `@azure/data-tables`, the
 * scale-out path where several hosts share one table. Each state table is an Azure table named
 * `tablePrefix + name`; partition and row keys are encoded reversibly (table-keys.ts); the value is
 * JSON split over string properties `v0`, `v1`, … (Azure caps one string property at 64 KiB).
 * Conditional writes use the service's ETags, so conflicts between hosts surface as StateConflictError.
 */
import { odata, RestError, TableClient, type TableEntity, type TransactionAction } from '@azure/data-tables';
import {
  batchProblem,
  StateConflictError,
  StateTooLargeError,
  StateUnavailableError,
  type StateEntity,
  type StateStore,
  type StateTable,
} from './store';
import { decodeTableKey, encodeTableKey } from './table-keys';

/** Characters per value property: 30,000 UTF-16 units stay under Azure's 64 KiB per property. */
const CHUNK = 30_000;
/** Azure's entity limit is 1 MiB; 30 chunks of 30,000 units (≈ 1.8 MB of UTF-16) would not fit, 15 do. */
const MAX_CHUNKS = 15;

type Row = Record<string, unknown> & { partitionKey?: string; rowKey?: string; etag?: string };

function statusOf(err: unknown): number | undefined {
  return err instanceof RestError ? err.statusCode : undefined;
}

function toEntity(partition: string, row: string, value: unknown): TableEntity {
  const json = JSON.stringify(value);
  const chunks = Math.max(1, Math.ceil(json.length / CHUNK));
  if (chunks > MAX_CHUNKS) {
    throw new StateTooLargeError(
      `A state value of ${json.length} characters is too large for an Azure Table entity`,
    );
  }
  const entity: TableEntity = { partitionKey: encodeTableKey(partition), rowKey: encodeTableKey(row) };
  for (let i = 0; i < chunks; i++) entity[`v${i}`] = json.slice(i * CHUNK, (i + 1) * CHUNK);
  return entity;
}

function fromEntity<T>(entity: Row): StateEntity<T> {
  let json = '';
  for (let i = 0; typeof entity[`v${i}`] === 'string'; i++) json += entity[`v${i}`] as string;
  return {
    partition: decodeTableKey(entity.partitionKey ?? ''),
    row: decodeTableKey(entity.rowKey ?? ''),
    value: JSON.parse(json) as T,
    etag: entity.etag ?? '',
  };
}

/** Storage failures other than lost races, as the state layer's own error (the cause keeps the detail). */
function unavailable(err: unknown): Error {
  if (err instanceof StateConflictError || err instanceof StateTooLargeError) return err;
  const status = statusOf(err);
  const what = status === undefined ? (err as Error).name : `HTTP ${status}`;
  return new StateUnavailableError(`Azure Table storage failed (${what})`, { cause: err });
}

function conflict(what: string, partition: string, row: string, cause: unknown): StateConflictError {
  const err = new StateConflictError(`${what}: ${partition}/${row}`);
  err.cause = cause;
  return err;
}

class AzureTable<T> implements StateTable<T> {
  private ready: Promise<void> | undefined;

  constructor(
    private readonly client: TableClient,
    private readonly timeoutMs: number,
  ) {}

  /** Every call is bounded, so a hung storage endpoint cannot hold a request forever. */
  private opts() {
    return { abortSignal: AbortSignal.timeout(this.timeoutMs) };
  }

  /** Creates the table once per process (an existing table is fine); a failure is retried next call. */
  private ensure(): Promise<void> {
    this.ready ??= this.client.createTable(this.opts()).catch((err: unknown) => {
      this.ready = undefined;
      throw unavailable(err);
    });
    return this.ready;
  }

  async get(partition: string, row: string): Promise<StateEntity<T> | undefined> {
    await this.ensure();
    try {
      const entity = await this.client.getEntity<Row>(
        encodeTableKey(partition),
        encodeTableKey(row),
        this.opts(),
      );
      return fromEntity<T>(entity);
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw unavailable(err);
    }
  }

  async list(partition?: string): Promise<StateEntity<T>[]> {
    await this.ensure();
    const filter = partition === undefined ? undefined : odata`PartitionKey eq ${encodeTableKey(partition)}`;
    const out: StateEntity<T>[] = [];
    try {
      for await (const entity of this.client.listEntities<Row>({
        queryOptions: { filter },
        ...this.opts(),
      })) {
        out.push(fromEntity<T>(entity));
      }
    } catch (err) {
      throw unavailable(err);
    }
    return out;
  }

  async insert(partition: string, row: string, value: T): Promise<StateEntity<T>> {
    const entity = toEntity(partition, row, value);
    await this.ensure();
    try {
      const res = await this.client.createEntity(entity, this.opts());
      return { partition, row, value: structuredClone(value), etag: res.etag ?? '' };
    } catch (err) {
      if (statusOf(err) === 409) throw conflict('entity exists', partition, row, err);
      throw unavailable(err);
    }
  }

  async put(partition: string, row: string, value: T, etag?: string): Promise<StateEntity<T>> {
    const entity = toEntity(partition, row, value);
    await this.ensure();
    try {
      const res =
        etag === undefined
          ? await this.client.upsertEntity(entity, 'Replace', this.opts())
          : await this.client.updateEntity(entity, 'Replace', { etag, ...this.opts() });
      return { partition, row, value: structuredClone(value), etag: res.etag ?? '' };
    } catch (err) {
      const status = statusOf(err);
      if (etag !== undefined && (status === 412 || status === 404)) {
        throw conflict('entity changed', partition, row, err);
      }
      throw unavailable(err);
    }
  }

  async delete(partition: string, row: string, etag?: string): Promise<boolean> {
    await this.ensure();
    try {
      await this.client.deleteEntity(
        encodeTableKey(partition),
        encodeTableKey(row),
        etag === undefined ? this.opts() : { etag, ...this.opts() },
      );
      return true;
    } catch (err) {
      const status = statusOf(err);
      if (status === 412 || (status === 404 && etag !== undefined)) {
        throw conflict('entity changed', partition, row, err);
      }
      if (status === 404) return false;
      throw unavailable(err);
    }
  }

  async batch(
    partition: string,
    ops: Parameters<StateTable<T>['batch']>[1],
  ): Promise<(string | undefined)[]> {
    const problem = batchProblem(ops);
    if (problem) throw problem;
    if (ops.length === 0) return [];
    const pk = encodeTableKey(partition);
    const actions: TransactionAction[] = ops.map((op) => {
      if (op.op === 'delete') return ['delete', { partitionKey: pk, rowKey: encodeTableKey(op.row) }];
      const entity = toEntity(partition, op.row, op.value);
      if (op.op === 'insert') return ['create', entity];
      return op.etag === undefined
        ? ['upsert', entity, 'Replace']
        : ['update', entity, 'Replace', { etag: op.etag }];
    });
    await this.ensure();
    try {
      const res = await this.client.submitTransaction(actions, this.opts());
      return ops.map((op, i) => (op.op === 'delete' ? undefined : res.subResponses[i]?.etag));
    } catch (err) {
      const status = statusOf(err);
      if (status === 409 || status === 412 || status === 404) {
        throw conflict('batch refused', partition, ops[0]?.row ?? '', err);
      }
      throw unavailable(err);
    }
  }
}

export interface TableStoreOptions {
  connectionString: string;
  tablePrefix: string;
  /** Per storage call, retries included (default 10 s). */
  timeoutMs?: number;
  /** Retries of failed calls by the SDK (default 2, starting at 200 ms). */
  maxRetries?: number;
}

export function createTableStateStore(opts: TableStoreOptions): StateStore {
  const tables = new Map<string, AzureTable<unknown>>();
  // Azurite and other local endpoints speak plain HTTP; Azure itself is always HTTPS.
  const allowInsecureConnection = /TableEndpoint=http:|UseDevelopmentStorage=true/i.test(
    opts.connectionString,
  );
  return {
    backend: 'table',
    table<T>(name: string): StateTable<T> {
      if (!/^[A-Za-z][A-Za-z0-9]*$/.test(name)) throw new RangeError(`Bad state table name '${name}'`);
      let table = tables.get(name);
      if (!table) {
        const client = TableClient.fromConnectionString(opts.connectionString, `${opts.tablePrefix}${name}`, {
          allowInsecureConnection,
          retryOptions: { maxRetries: opts.maxRetries ?? 2, retryDelayInMs: 200, maxRetryDelayInMs: 2000 },
        });
        table = new AzureTable<unknown>(client, opts.timeoutMs ?? 10_000);
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
