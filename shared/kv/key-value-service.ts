/**
 * The key-value store (Butler's namespaces of string values with optional TTL), kept in the state
 * store so it survives restarts (file, table) and stays correct when several hosts share a table.
 *
 * Limits (docs/state.md): value size, keys per namespace (live keys), number of namespaces and total
 * bytes. A write over a limit fails with nothing stored. Expired entries are never returned and are
 * purged lazily: when a namespace is listed, when a full namespace needs room, and when the total
 * would be exceeded.
 *
 * Writes in one process run one at a time (a mutex), so they never race each other; writes from
 * other hosts are caught by the etag checks and retried.
 */
import { randomUUID } from 'node:crypto';
import { ApiError } from '../http/errors';
import type { Logger } from '../log';
import {
  isStateConflict,
  StateConflictError,
  MAX_BATCH_OPS,
  StateTooLargeError,
  type StateBatchOp,
  type StateEntity,
  type StateTable,
} from '../state/store';
import {
  genPartition,
  INDEX,
  keyRow,
  META_ROW,
  nsRow,
  TOTALS_ROW,
  type EntryRecord,
  type KvRecord,
  type MetaRecord,
  type NamespaceRecord,
  type TotalsRecord,
} from './records';
import { keyNotFound, namespaceFull, namespacesFull, nsNotFound, totalFull } from './errors';
import { guarded } from './guarded-table';
import { checkName, utf8Bytes } from './names';

export interface KvLimits {
  maxKeysPerNamespace: number;
  maxValueBytes: number;
  maxNamespaces: number;
  maxTotalBytes: number;
}

export interface KvEntry {
  namespace: string;
  key: string;
  value: string;
  /** TTL given at write time in ms, 0 = none. */
  ttl: number;
  /** Absolute expiry (epoch ms) or null. */
  expiresAt: number | null;
}

export interface KvWrite {
  namespace: string;
  key: string;
  value: string;
  ttlMs: number;
}

/** Attempts before a write that keeps losing etag races to other hosts gives up (503). */
const MAX_ATTEMPTS = 20;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type PeekableTable = StateTable<KvRecord> & Required<Pick<StateTable<KvRecord>, 'peek'>>;

const hasPeek = (table: StateTable<KvRecord>): table is PeekableTable => table.peek !== undefined;

export class KeyValueService {
  private tail: Promise<unknown> = Promise.resolve();
  private readonly table: StateTable<KvRecord>;

  constructor(
    table: StateTable<KvRecord>,
    readonly limits: KvLimits,
    private readonly now: () => number = Date.now,
    log?: Logger,
  ) {
    this.table = guarded(table, log);
  }

  // ---- reads (no lock: the state store answers them from a consistent view) ----

  async namespaces(): Promise<string[]> {
    const rows = await this.table.list(INDEX);
    return rows
      .map((r) => r.value)
      .filter((v): v is NamespaceRecord => v.kind === 'ns')
      .sort((a, b) => a.created - b.created || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((v) => v.name);
  }

  async hasNamespace(namespace: string): Promise<boolean> {
    return (await this.resolve(namespace)) !== undefined;
  }

  /** The live entry; undefined when the key is missing or expired. Throws KV_NAMESPACE_NOT_FOUND. */
  async get(namespace: string, key: string): Promise<KvEntry | undefined> {
    const { table } = this;
    if (hasPeek(table)) return this.getNow(table, namespace, key);
    const ns = await table.get(INDEX, nsRow(namespace));
    if (ns?.value.kind !== 'ns') throw nsNotFound(namespace);
    return this.liveEntry(namespace, await table.get(genPartition(ns.value.gen), keyRow(key)));
  }

  /** `get` from an in-memory backend: the two reads at once, no promise (GET /v4/keyvalues is hot). */
  private getNow(table: PeekableTable, namespace: string, key: string) {
    const ns = table.peek(INDEX, nsRow(namespace));
    if (ns?.value.kind !== 'ns') throw nsNotFound(namespace);
    return this.liveEntry(namespace, table.peek(genPartition(ns.value.gen), keyRow(key)));
  }

  private liveEntry(namespace: string, entity: StateEntity<KvRecord> | undefined): KvEntry | undefined {
    const entry = entity?.value;
    return entry?.kind === 'entry' && this.live(entry) ? this.toEntry(namespace, entry) : undefined;
  }

  /** As `get`, where the empty key (which no write accepts) is simply missing. */
  async lookup(namespace: string, key: string): Promise<KvEntry | undefined> {
    if (key !== '') return await this.get(namespace, key);
    await this.mustResolve(namespace);
    return undefined;
  }

  /** The live entry. Throws KV_NAMESPACE_NOT_FOUND or KV_KEY_NOT_FOUND. */
  entry(namespace: string, key: string): Promise<KvEntry> {
    const { table } = this;
    if (key !== '' && hasPeek(table)) {
      // In-memory backend, a key given (the usual GET /v4/keyvalues): answered without async layers.
      try {
        const found = this.getNow(table, namespace, key);
        return found ? Promise.resolve(found) : Promise.reject(keyNotFound(namespace, key));
      } catch (err) {
        return Promise.reject(err instanceof Error ? err : new Error(String(err)));
      }
    }
    return this.lookup(namespace, key).then((found) => found ?? Promise.reject(keyNotFound(namespace, key)));
  }

  /** Live keys in insertion order. Throws KV_NAMESPACE_NOT_FOUND. */
  async keys(namespace: string): Promise<string[]> {
    const gen = await this.mustResolve(namespace);
    const entries = await this.entries(gen);
    if (entries.some((e) => !this.live(e))) {
      await this.locked(() => this.purge(gen));
    }
    return entries
      .filter((e) => this.live(e))
      .sort((a, b) => a.seq - b.seq)
      .map((e) => e.key);
  }

  // ---- writes ----

  /** Creates the namespace if needed and sets the key (value and TTL replaced). */
  async set(namespace: string, key: string, value: string, ttlMs: number): Promise<KvEntry> {
    this.checkWrite({ namespace, key, value, ttlMs });
    return await this.locked(() => this.setLocked({ namespace, key, value, ttlMs }));
  }

  /**
   * Task start's items: every item is checked against every limit first, so a refused request stores
   * nothing; then they are written in order.
   */
  async setMany(items: KvWrite[]): Promise<KvEntry[]> {
    // Nothing to write (a task start without items): no lock, no state read.
    if (items.length === 0) return [];
    for (const item of items) this.checkWrite(item);
    return await this.locked(async () => {
      await this.precheck(items);
      const out: KvEntry[] = [];
      for (const item of items) out.push(await this.setLocked(item));
      return out;
    });
  }

  /** Throws KV_NAMESPACE_NOT_FOUND or KV_KEY_NOT_FOUND (an expired key counts as missing). */
  deleteKey(namespace: string, key: string): Promise<void> {
    return this.locked(() =>
      this.retry(async () => {
        const gen = await this.mustResolve(namespace);
        const partition = genPartition(gen);
        const cur = await this.table.get(partition, keyRow(key));
        if (cur?.value.kind !== 'entry' || !this.live(cur.value)) throw keyNotFound(namespace, key);
        const meta = await this.meta(gen);
        const bytes = cur.value.bytes;
        await this.table.batch(partition, [
          {
            op: 'put',
            row: META_ROW,
            etag: meta.etag,
            value: { ...meta.value, keys: meta.value.keys - 1, bytes: meta.value.bytes - bytes },
          },
          { op: 'delete', row: keyRow(key) },
        ]);
        await this.adjustTotals(-bytes);
      }),
    );
  }

  /** Removes the namespace and all its keys. Throws KV_NAMESPACE_NOT_FOUND. */
  deleteNamespace(namespace: string): Promise<void> {
    return this.locked(() => this.removeNamespace(namespace));
  }

  close(): Promise<void> {
    return this.tail.then(
      () => undefined,
      () => undefined,
    );
  }

  // ---- internals ----

  private locked<R>(fn: () => Promise<R>): Promise<R> {
    const run = this.tail.then(fn, fn);
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Runs `fn` again when it lost an etag race; gives up after MAX_ATTEMPTS with 503. */
  private async retry<R>(fn: () => Promise<R>): Promise<R> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (!isStateConflict(err)) throw err;
        if (attempt >= MAX_ATTEMPTS) {
          throw new ApiError('STATE_UNAVAILABLE', 'The key-value store is too busy; try again', {
            cause: err,
          });
        }
        await sleep(Math.floor(Math.random() * 5 * attempt));
      }
    }
  }

  private live(entry: EntryRecord): boolean {
    return entry.expiresAt === null || entry.expiresAt > this.now();
  }

  private toEntry(namespace: string, e: EntryRecord): KvEntry {
    return { namespace, key: e.key, value: e.value, ttl: e.ttl, expiresAt: e.expiresAt };
  }

  private async resolve(namespace: string): Promise<string | undefined> {
    const ns = await this.table.get(INDEX, nsRow(namespace));
    return ns?.value.kind === 'ns' ? ns.value.gen : undefined;
  }

  private async mustResolve(namespace: string): Promise<string> {
    const gen = await this.resolve(namespace);
    if (gen === undefined) throw nsNotFound(namespace);
    return gen;
  }

  private async entries(gen: string): Promise<EntryRecord[]> {
    const rows = await this.table.list(genPartition(gen));
    return rows.map((r) => r.value).filter((v): v is EntryRecord => v.kind === 'entry');
  }

  private async meta(gen: string): Promise<{ value: MetaRecord; etag: string }> {
    const partition = genPartition(gen);
    const meta = await this.table.get(partition, META_ROW);
    if (meta?.value.kind === 'meta') return { value: meta.value, etag: meta.etag };
    // First write to a new namespace (or its creator died before writing this row).
    const created = await this.table.insert(partition, META_ROW, { kind: 'meta', keys: 0, bytes: 0, seq: 0 });
    return { value: created.value as MetaRecord, etag: created.etag };
  }

  private checkWrite(item: KvWrite): void {
    checkName('namespace', item.namespace);
    checkName('key', item.key);
    const bytes = utf8Bytes(item.value);
    if (bytes > this.limits.maxValueBytes) {
      throw new ApiError(
        'KV_VALUE_TOO_LARGE',
        `value is ${bytes} bytes; keyValueStore.maxValueBytes allows ${this.limits.maxValueBytes}`,
      );
    }
  }

  /** The namespace's generation, creating the namespace when it does not exist. */
  private async ensureNamespace(namespace: string): Promise<{ gen: string; created: boolean }> {
    const existing = await this.resolve(namespace);
    if (existing !== undefined) return { gen: existing, created: false };
    const index = await this.table.list(INDEX);
    const count = index.filter((r) => r.value.kind === 'ns').length;
    if (count >= this.limits.maxNamespaces) throw namespacesFull(this.limits);
    const totals = index.find((r) => r.row === TOTALS_ROW);
    const gen = randomUUID();
    const record: NamespaceRecord = { kind: 'ns', name: namespace, gen, created: this.now() };
    // Rewriting `totals` in the same batch serialises namespace creation across hosts.
    await this.table.batch(INDEX, [
      totals
        ? { op: 'put', row: TOTALS_ROW, etag: totals.etag, value: totals.value }
        : { op: 'insert', row: TOTALS_ROW, value: { kind: 'totals', bytes: 0 } },
      { op: 'insert', row: nsRow(namespace), value: record },
    ]);
    return { gen, created: true };
  }

  private async setLocked(item: KvWrite): Promise<KvEntry> {
    const { namespace, key, value } = item;
    const ttl = Number.isFinite(item.ttlMs) && item.ttlMs > 0 ? Math.floor(item.ttlMs) : 0;
    const bytes = utf8Bytes(key) + utf8Bytes(value);
    let purged = false;
    let reclaimed = false;
    const attempt = async (): Promise<KvEntry> => {
      // The namespace is created only once the write has passed every limit, so a refusal stores nothing.
      const existing = await this.resolve(namespace);
      let meta = existing === undefined ? undefined : await this.meta(existing);
      const curEntity =
        existing === undefined ? undefined : await this.table.get(genPartition(existing), keyRow(key));
      const cur = curEntity?.value.kind === 'entry' ? curEntity.value : undefined;
      const isLive = cur !== undefined && this.live(cur);
      const storedAfter = (meta?.value.keys ?? 0) + (cur ? 0 : 1);
      if (existing !== undefined && !isLive && storedAfter > this.limits.maxKeysPerNamespace) {
        if (purged) throw namespaceFull(namespace, this.limits);
        purged = true;
        await this.purge(existing);
        throw new RetryNow();
      }
      const delta = bytes - (cur?.bytes ?? 0);
      if (delta > 0 && !(await this.reserve(delta))) {
        if (reclaimed) throw totalFull(this.limits);
        reclaimed = true;
        await this.reclaim();
        throw new RetryNow();
      }
      let created = false;
      try {
        let gen = existing;
        if (gen === undefined) {
          ({ gen, created } = await this.ensureNamespace(namespace));
          // Another writer created it since we looked: evaluate again against its real state.
          if (!created) throw new StateConflictError(`namespace ${namespace} appeared meanwhile`);
          meta = await this.meta(gen);
        }
        if (!meta) throw new Error('unreachable: namespace meta missing');
        const now = this.now();
        const seq = isLive ? cur.seq : meta.value.seq + 1;
        const entry: EntryRecord = {
          kind: 'entry',
          key,
          value,
          ttl,
          expiresAt: ttl > 0 ? now + ttl : null,
          seq,
          bytes,
        };
        const newMeta: MetaRecord = {
          kind: 'meta',
          keys: storedAfter,
          bytes: meta.value.bytes + delta,
          seq: Math.max(meta.value.seq, seq),
        };
        await this.table.batch(genPartition(gen), [
          { op: 'put', row: META_ROW, etag: meta.etag, value: newMeta },
          cur
            ? { op: 'put', row: keyRow(key), value: entry }
            : { op: 'insert', row: keyRow(key), value: entry },
        ]);
        if (delta < 0) await this.adjustTotals(delta);
        return this.toEntry(namespace, entry);
      } catch (err) {
        // Definitely not stored: give back what was reserved, and the namespace made for it.
        const refused = isStateConflict(err) || err instanceof StateTooLargeError || err instanceof ApiError;
        if (refused && delta > 0) await this.adjustTotals(-delta);
        if (created && !isStateConflict(err)) await this.removeNamespace(namespace).catch(() => undefined);
        if (err instanceof StateTooLargeError) {
          throw new ApiError(
            'KV_VALUE_TOO_LARGE',
            `value is too large for the state backend (${err.message})`,
          );
        }
        throw err;
      }
    };
    // At most two tidy-ups (one purge, one recount) restart the evaluation; then the limit stands.
    for (;;) {
      try {
        return await this.retry(attempt);
      } catch (err) {
        if (!(err instanceof RetryNow)) throw err;
      }
    }
  }

  private async removeNamespace(namespace: string): Promise<void> {
    const gen = await this.retry(async () => {
      const ns = await this.table.get(INDEX, nsRow(namespace));
      if (ns?.value.kind !== 'ns') throw nsNotFound(namespace);
      const meta = await this.table.get(genPartition(ns.value.gen), META_ROW);
      const bytes = meta?.value.kind === 'meta' ? meta.value.bytes : 0;
      const totals = await this.table.get(INDEX, TOTALS_ROW);
      const ops: StateBatchOp<KvRecord>[] = [{ op: 'delete', row: nsRow(namespace) }];
      if (totals?.value.kind === 'totals') {
        ops.push({
          op: 'put',
          row: TOTALS_ROW,
          etag: totals.etag,
          value: { kind: 'totals', bytes: Math.max(0, totals.value.bytes - bytes) },
        });
      }
      await this.table.batch(INDEX, ops);
      return ns.value.gen;
    });
    // The namespace is gone once its index row is; its generation's rows are now garbage.
    await this.dropPartition(genPartition(gen));
  }

  /** Adds `delta` bytes to the total unless that would pass maxTotalBytes (false: refused). */
  private async reserve(delta: number): Promise<boolean> {
    const totals = await this.table.get(INDEX, TOTALS_ROW);
    const current = totals?.value.kind === 'totals' ? totals.value.bytes : 0;
    if (current + delta > this.limits.maxTotalBytes) return false;
    const value: TotalsRecord = { kind: 'totals', bytes: current + delta };
    if (totals) await this.table.put(INDEX, TOTALS_ROW, value, totals.etag);
    else await this.table.insert(INDEX, TOTALS_ROW, value);
    return true;
  }

  /** Moves the total by `delta`; losing races is retried (a lost release only over-counts: safe). */
  private async adjustTotals(delta: number): Promise<void> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const totals = await this.table.get(INDEX, TOTALS_ROW);
      if (totals?.value.kind !== 'totals') return;
      try {
        await this.table.put(
          INDEX,
          TOTALS_ROW,
          { kind: 'totals', bytes: Math.max(0, totals.value.bytes + delta) },
          totals.etag,
        );
        return;
      } catch (err) {
        if (!isStateConflict(err)) throw err;
      }
    }
  }

  /** Deletes the expired entries of one namespace generation. */
  private async purge(gen: string): Promise<void> {
    const partition = genPartition(gen);
    await this.retry(async () => {
      const expired = (await this.entries(gen)).filter((e) => !this.live(e));
      for (let i = 0; i < expired.length; i += MAX_BATCH_OPS - 1) {
        const chunk = expired.slice(i, i + MAX_BATCH_OPS - 1);
        const meta = await this.meta(gen);
        const bytes = chunk.reduce((sum, e) => sum + e.bytes, 0);
        await this.table.batch(partition, [
          {
            op: 'put',
            row: META_ROW,
            etag: meta.etag,
            value: { ...meta.value, keys: meta.value.keys - chunk.length, bytes: meta.value.bytes - bytes },
          },
          ...chunk.map((e): StateBatchOp<KvRecord> => ({ op: 'delete', row: keyRow(e.key) })),
        ]);
        await this.adjustTotals(-bytes);
      }
    });
  }

  /** Purges every namespace and recounts the total from the namespaces' own byte counts. */
  private async reclaim(): Promise<void> {
    const index = await this.table.list(INDEX);
    const gens = index
      .map((r) => r.value)
      .filter((v): v is NamespaceRecord => v.kind === 'ns')
      .map((v) => v.gen);
    for (const gen of gens) await this.purge(gen);
    await this.retry(async () => {
      const totals = await this.table.get(INDEX, TOTALS_ROW);
      let bytes = 0;
      for (const gen of gens) {
        const meta = await this.table.get(genPartition(gen), META_ROW);
        if (meta?.value.kind === 'meta') bytes += meta.value.bytes;
      }
      const value: TotalsRecord = { kind: 'totals', bytes };
      if (totals) await this.table.put(INDEX, TOTALS_ROW, value, totals.etag);
      else await this.table.insert(INDEX, TOTALS_ROW, value);
    });
  }

  private async dropPartition(partition: string): Promise<void> {
    const rows = await this.table.list(partition);
    for (let i = 0; i < rows.length; i += MAX_BATCH_OPS) {
      const chunk = rows.slice(i, i + MAX_BATCH_OPS);
      try {
        await this.table.batch(
          partition,
          chunk.map((r) => ({ op: 'delete', row: r.row })),
        );
      } catch (err) {
        // A writer that resolved the namespace just before it was deleted may have added a row; it is
        // unreachable now, so leaving it is harmless.
        if (!isStateConflict(err)) throw err;
      }
    }
  }

  /** Checks a whole set of writes against the limits, so task start stores all of them or none. */
  private async precheck(items: KvWrite[]): Promise<void> {
    const byNs = new Map<string, Map<string, KvWrite>>();
    for (const item of items) {
      let keys = byNs.get(item.namespace);
      if (!keys) byNs.set(item.namespace, (keys = new Map<string, KvWrite>()));
      keys.set(item.key, item); // a later item for the same key overwrites the earlier one
    }
    let newNamespaces = 0;
    let delta = 0;
    for (const [namespace, writes] of byNs) {
      const gen = await this.resolve(namespace);
      const entries = new Map<string, EntryRecord>();
      if (gen === undefined) newNamespaces++;
      else for (const e of await this.entries(gen)) entries.set(e.key, e);
      const live = [...entries.values()].filter((e) => this.live(e)).length;
      let added = 0;
      for (const [key, write] of writes) {
        const cur = entries.get(key);
        if (!cur || !this.live(cur)) added++;
        delta += utf8Bytes(key) + utf8Bytes(write.value) - (cur && this.live(cur) ? cur.bytes : 0);
      }
      if (live + added > this.limits.maxKeysPerNamespace) throw namespaceFull(namespace, this.limits);
    }
    if (newNamespaces > 0) {
      const count = (await this.table.list(INDEX)).filter((r) => r.value.kind === 'ns').length;
      if (count + newNamespaces > this.limits.maxNamespaces) throw namespacesFull(this.limits);
    }
    if (delta > 0) {
      const totals = await this.table.get(INDEX, TOTALS_ROW);
      let current = totals?.value.kind === 'totals' ? totals.value.bytes : 0;
      if (current + delta > this.limits.maxTotalBytes) {
        await this.reclaim();
        const again = await this.table.get(INDEX, TOTALS_ROW);
        current = again?.value.kind === 'totals' ? again.value.bytes : 0;
        if (current + delta > this.limits.maxTotalBytes) throw totalFull(this.limits);
      }
    }
  }
}

/** Internal signal: state was tidied (purge, recount); evaluate the write again from the start. */
class RetryNow extends Error {}
