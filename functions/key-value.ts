/**
 * The key-value store's seven operations (Butler #10–#16), over the state-backed key-value service.
 * `keyvalues/{namespace}/{x}` is one function: GET serves `keyexists` and DELETE deletes key `x`, so a
 * key named `keyexists` can still be deleted (docs/state.md).
 */
import { Type } from '@sinclair/typebox';
import { method, registerEndpoint, reply } from '../shared/http/endpoint';
import { checkName, MAX_NAME_LENGTH } from '../shared/kv/names';

/** Ten years: longer TTLs are refused rather than silently meaning "forever". */
export const MAX_TTL_MS = 10 * 365 * 24 * 3600 * 1000;

const Name = Type.String({ maxLength: MAX_NAME_LENGTH });
const NamespaceParams = Type.Object({ namespace: Name });
const KeyQuery = Type.Object({ key: Name });

const SetBody = Type.Object({
  key: Type.String({ minLength: 1, maxLength: MAX_NAME_LENGTH }),
  // Sizes are the service's limit (keyValueStore.maxValueBytes); the body limit caps the parse.
  value: Type.String({ description: 'At most keyValueStore.maxValueBytes bytes (UTF-8)' }),
  ttl: Type.Optional(
    Type.Number({ minimum: 0, maximum: MAX_TTL_MS, description: 'Milliseconds; 0 or absent = no expiry' }),
  ),
});

const Entry = Type.Object({ namespace: Type.String(), key: Type.String(), value: Type.String() });
const EntryWithTtl = Type.Object({
  namespace: Type.String(),
  key: Type.String(),
  value: Type.String(),
  ttl: Type.Number(),
});

/** Length is the spec's; the characters a name may not hold are checked here, as for body keys. */
function namespaceOf(params: { namespace: string }): string {
  checkName('namespace', params.namespace, 'params');
  return params.namespace;
}

registerEndpoint('keyvaluesnamespaces', 'v4/keyvaluesnamespaces', {
  GET: method({
    id: 'keyvaluesnamespaces',
    summary: 'Names of all key-value namespaces, in creation order',
    enabledBy: 'keyValueStore',
    replies: { 200: reply('Array of namespace names ([] when none)', Type.Array(Type.String())) },
    handle: async ({ services }) => ({ status: 200, body: await services.kv.namespaces() }),
  }),
});

registerEndpoint('keyvalues', 'v4/keyvalues/{namespace}', {
  GET: method({
    id: 'keyvalues-get',
    summary: 'Value of one key',
    enabledBy: 'keyValueStore',
    params: NamespaceParams,
    query: KeyQuery,
    replies: { 200: reply('The entry', Entry) },
    errors: ['KV_NAMESPACE_NOT_FOUND', 'KV_KEY_NOT_FOUND'],
    handle: async ({ params, query, services }) => {
      const namespace = namespaceOf(params);
      const entry = await services.kv.entry(namespace, query.key);
      return { status: 200, body: { namespace, key: entry.key, value: entry.value } };
    },
  }),
  POST: method({
    id: 'keyvalues-set',
    summary: 'Set a key (creates the namespace); value and TTL are replaced',
    enabledBy: 'keyValueStore',
    params: NamespaceParams,
    body: SetBody,
    replies: { 201: reply('The stored entry', EntryWithTtl) },
    errors: ['KV_NAMESPACE_FULL', 'KV_LIMIT_EXCEEDED', 'KV_VALUE_TOO_LARGE'],
    handle: async ({ params, body, services }) => {
      const namespace = namespaceOf(params);
      checkName('key', body.key, 'body');
      const ttl = Math.floor(body.ttl ?? 0);
      const entry = await services.kv.set(namespace, body.key, body.value, ttl);
      return { status: 201, body: { namespace, key: entry.key, value: entry.value, ttl: entry.ttl } };
    },
  }),
  DELETE: method({
    id: 'keyvalues-delete-namespace',
    summary: 'Delete a namespace and all its keys',
    enabledBy: 'keyValueStore',
    params: NamespaceParams,
    replies: { 204: reply('Deleted') },
    errors: ['KV_NAMESPACE_NOT_FOUND'],
    handle: async ({ params, services }) => {
      await services.kv.deleteNamespace(namespaceOf(params));
      return { status: 204 };
    },
  }),
});

const KeyParams = Type.Object({
  namespace: Name,
  key: Type.String({ description: 'GET: the literal keyexists; DELETE: the key to delete' }),
});

registerEndpoint('keyvalues-key', 'v4/keyvalues/{namespace}/{key}', {
  GET: method({
    id: 'keyvalues-keyexists',
    summary: 'GET /v4/keyvalues/{namespace}/keyexists?key=: whether a key exists',
    enabledBy: 'keyValueStore',
    params: KeyParams,
    // Any other segment is a route Butler never had: ROUTE_NOT_FOUND, whatever the query.
    segment: { param: 'key', literal: 'keyexists' },
    query: KeyQuery,
    replies: {
      200: reply(
        'Whether the key exists, with its entry',
        Type.Union([
          Type.Object({ keyExists: Type.Literal(true), keyValue: EntryWithTtl }),
          Type.Object({ keyExists: Type.Literal(false), keyValue: Type.Object({}) }),
        ]),
      ),
    },
    errors: ['KV_NAMESPACE_NOT_FOUND', 'ROUTE_NOT_FOUND'],
    handle: async ({ params, query, services }) => {
      const namespace = namespaceOf(params);
      // A repeated `key` arrives joined with commas, as for every query parameter.
      const entry = await services.kv.lookup(namespace, query.key);
      if (!entry) return { status: 200, body: { keyExists: false, keyValue: {} } };
      return {
        status: 200,
        body: {
          keyExists: true,
          keyValue: { namespace, key: entry.key, value: entry.value, ttl: entry.ttl },
        },
      };
    },
  }),
  DELETE: method({
    id: 'keyvalues-delete-key',
    summary: 'Delete one key',
    enabledBy: 'keyValueStore',
    params: KeyParams,
    replies: { 204: reply('Deleted') },
    errors: ['KV_NAMESPACE_NOT_FOUND', 'KV_KEY_NOT_FOUND'],
    handle: async ({ params, services }) => {
      const namespace = namespaceOf(params);
      checkName('key', params.key, 'params');
      await services.kv.deleteKey(namespace, params.key);
      return { status: 204 };
    },
  }),
});

registerEndpoint('keylist', 'v4/keylist/{namespace}', {
  GET: method({
    id: 'keylist',
    summary: 'Live keys of a namespace, in insertion order',
    enabledBy: 'keyValueStore',
    params: NamespaceParams,
    replies: {
      200: reply(
        'The keys',
        Type.Object({ namespace: Type.String(), keys: Type.Array(Type.Object({ key: Type.String() })) }),
      ),
    },
    errors: ['KV_NAMESPACE_NOT_FOUND'],
    handle: async ({ params, services }) => {
      const namespace = namespaceOf(params);
      const keys = await services.kv.keys(namespace);
      return { status: 200, body: { namespace, keys: keys.map((key) => ({ key })) } };
    },
  }),
});
