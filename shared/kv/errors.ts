/** The key-value store's refusals, with Butler's messages where Butler had one (docs/state.md). */
import { ApiError } from '../http/errors';
import type { KvLimits } from './key-value-service';

export const nsNotFound = (namespace: string) =>
  new ApiError('KV_NAMESPACE_NOT_FOUND', `Namespace not found: ${namespace}`);

export const keyNotFound = (namespace: string, key: string) =>
  new ApiError('KV_KEY_NOT_FOUND', `Key '${key}' not found in namespace: ${namespace}`);

export const namespacesFull = (limits: KvLimits) =>
  new ApiError(
    'KV_LIMIT_EXCEEDED',
    `The key-value store already holds ${limits.maxNamespaces} namespaces (keyValueStore.maxNamespaces)`,
  );

export const namespaceFull = (namespace: string, limits: KvLimits) =>
  new ApiError(
    'KV_NAMESPACE_FULL',
    `Namespace '${namespace}' already holds ${limits.maxKeysPerNamespace} keys (keyValueStore.maxKeysPerNamespace)`,
  );

export const totalFull = (limits: KvLimits) =>
  new ApiError(
    'KV_LIMIT_EXCEEDED',
    `The key-value store is full: keyValueStore.maxTotalBytes (${limits.maxTotalBytes}) would be exceeded`,
  );
