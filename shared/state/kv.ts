/**
 * The key-value store's service interface (docs/butler-compatibility.md §4). Task start writes its `keyvaluestore`
 * items through it; the state backends (file, memory, Azure Table) implement it.
 */
export interface KvEntry {
  namespace: string;
  key: string;
  value: string;
  /** TTL given at write time in ms, 0 = none. */
  ttl: number;
  /** Absolute expiry (epoch ms) or null. */
  expiresAt: number | null;
}

export interface KeyValueStore {
  /** Creates the namespace if needed. A new key in a namespace at its limit → ApiError KV_NAMESPACE_FULL. */
  set(namespace: string, key: string, value: string, ttlMs: number): Promise<KvEntry>;
  /** Live entry or undefined (expired entries are never returned). */
  get(namespace: string, key: string): Promise<KvEntry | undefined>;
  close(): Promise<void>;
}
