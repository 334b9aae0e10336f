/**
 * How the key-value store lies in the state table `kv` (see docs/state.md, "Table layout"):
 *
 * - partition `index`: row `totals` (bytes held by all namespaces) and one row `n:<namespace>` per
 *   namespace, naming the generation partition that holds its keys;
 * - partition `g:<generation>`: row `meta` (key count, bytes, insertion counter) and one row
 *   `k:<key>` per key.
 *
 * Every change to a namespace's keys rewrites its `meta` row with an etag check in the same atomic
 * batch, so concurrent writers (on one host or many) are serialised per namespace and counts stay
 * exact. A deleted namespace's generation is dropped, so a namespace re-created under the same name
 * never sees old keys.
 */
export const KV_TABLE = 'kv';
export const INDEX = 'index';
export const TOTALS_ROW = 'totals';
export const META_ROW = 'meta';

export const nsRow = (namespace: string) => `n:${namespace}`;
export const keyRow = (key: string) => `k:${key}`;
export const genPartition = (gen: string) => `g:${gen}`;

export interface TotalsRecord {
  kind: 'totals';
  /** Bytes (UTF-8 of key + value) of every stored entry, expired ones until purged. */
  bytes: number;
}

export interface NamespaceRecord {
  kind: 'ns';
  name: string;
  gen: string;
  created: number;
}

export interface MetaRecord {
  kind: 'meta';
  /** Stored entries (live or expired but not yet purged). */
  keys: number;
  bytes: number;
  /** Last insertion number handed out; keys list in this order. */
  seq: number;
}

export interface EntryRecord {
  kind: 'entry';
  key: string;
  value: string;
  /** TTL given at write time in ms, 0 = none. */
  ttl: number;
  /** Absolute expiry (epoch ms) or null. */
  expiresAt: number | null;
  seq: number;
  bytes: number;
}

export type KvRecord = TotalsRecord | NamespaceRecord | MetaRecord | EntryRecord;
