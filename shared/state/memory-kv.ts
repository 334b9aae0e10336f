/**
 * In-memory key-value store: the `memory` state backend, and the stand-in until the file and table
 * backends exist. Expiry is lazy: expired entries are skipped and purged when touched.
 */
import { ApiError } from '../http/errors';
import type { KeyValueStore, KvEntry } from './kv';

export function createMemoryKvStore(opts: {
  maxKeysPerNamespace: number;
  now?: () => number;
}): KeyValueStore {
  const now = opts.now ?? Date.now;
  const namespaces = new Map<string, Map<string, KvEntry>>();

  const live = (entry: KvEntry | undefined): entry is KvEntry =>
    entry !== undefined && (entry.expiresAt === null || entry.expiresAt > now());

  function purge(ns: Map<string, KvEntry>): void {
    for (const [key, entry] of ns) if (!live(entry)) ns.delete(key);
  }

  return {
    set(namespace, key, value, ttlMs) {
      let ns = namespaces.get(namespace);
      if (!ns) {
        ns = new Map();
        namespaces.set(namespace, ns);
      }
      purge(ns);
      if (!ns.has(key) && ns.size >= opts.maxKeysPerNamespace) {
        return Promise.reject(
          new ApiError(
            'KV_NAMESPACE_FULL',
            `Namespace '${namespace}' already holds ${opts.maxKeysPerNamespace} keys (keyValueStore.maxKeysPerNamespace)`,
          ),
        );
      }
      const ttl = Number.isFinite(ttlMs) && ttlMs > 0 ? Math.floor(ttlMs) : 0;
      const entry: KvEntry = { namespace, key, value, ttl, expiresAt: ttl > 0 ? now() + ttl : null };
      ns.set(key, entry);
      return Promise.resolve({ ...entry });
    },
    get(namespace, key) {
      const entry = namespaces.get(namespace)?.get(key);
      return Promise.resolve(live(entry) ? { ...entry } : undefined);
    },
    close() {
      namespaces.clear();
      return Promise.resolve();
    },
  };
}
