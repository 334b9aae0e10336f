/**
 * The key-value store's seven operations (Butler #10–#16), over the state-backed key-value service.
 * `keyvalues/{namespace}/{x}` is one function: GET serves `keyexists` and DELETE deletes key `x`, so a
 * key named `keyexists` can still be deleted (docs/state.md).
 */
import { ApiError } from '../shared/http/errors';
import { method, registerEndpoint } from '../shared/http/endpoint';
import { checkName, MAX_NAME_LENGTH } from '../shared/kv/names';

/** Ten years: longer TTLs are refused rather than silently meaning "forever". */
export const MAX_TTL_MS = 10 * 365 * 24 * 3600 * 1000;

const keyQuery = {
  type: 'object',
  required: ['key'],
  properties: { key: { type: 'string', maxLength: MAX_NAME_LENGTH } },
};

const setBody = {
  type: 'object',
  required: ['key', 'value'],
  properties: {
    key: { type: 'string', minLength: 1, maxLength: MAX_NAME_LENGTH },
    // Sizes are the service's limit (keyValueStore.maxValueBytes); the body limit caps the parse.
    value: { type: 'string' },
    ttl: { type: 'number', minimum: 0, maximum: MAX_TTL_MS },
  },
};

function namespaceParam(params: Record<string, string>): string {
  const namespace = params.namespace ?? '';
  checkName('namespace', namespace, 'params');
  return namespace;
}

registerEndpoint('keyvaluesnamespaces', 'v4/keyvaluesnamespaces', {
  GET: method({
    enabledBy: 'keyValueStore',
    handle: async ({ services }) => ({ status: 200, body: await services.kv.namespaces() }),
  }),
});

registerEndpoint('keyvalues', 'v4/keyvalues/{namespace}', {
  GET: method<{ key: string }>({
    enabledBy: 'keyValueStore',
    query: keyQuery,
    handle: async ({ params, query, services }) => {
      const namespace = namespaceParam(params);
      const entry = query.key === '' ? undefined : await services.kv.get(namespace, query.key);
      if (!entry) {
        if (!(await services.kv.hasNamespace(namespace))) {
          throw new ApiError('KV_NAMESPACE_NOT_FOUND', `Namespace not found: ${namespace}`);
        }
        throw new ApiError('KV_KEY_NOT_FOUND', `Key '${query.key}' not found in namespace: ${namespace}`);
      }
      return { status: 200, body: { namespace, key: entry.key, value: entry.value } };
    },
  }),
  POST: method<Record<string, unknown>, { key: string; value: string; ttl?: number }>({
    enabledBy: 'keyValueStore',
    body: setBody,
    handle: async ({ params, body, services }) => {
      const namespace = namespaceParam(params);
      checkName('key', body.key, 'body');
      const ttl = Math.floor(body.ttl ?? 0);
      const entry = await services.kv.set(namespace, body.key, body.value, ttl);
      return { status: 201, body: { namespace, key: entry.key, value: entry.value, ttl: entry.ttl } };
    },
  }),
  DELETE: method({
    enabledBy: 'keyValueStore',
    handle: async ({ params, services }) => {
      await services.kv.deleteNamespace(namespaceParam(params));
      return { status: 204 };
    },
  }),
});

registerEndpoint('keyvalues-key', 'v4/keyvalues/{namespace}/{key}', {
  GET: method<{ key: string }>({
    enabledBy: 'keyValueStore',
    handle: async ({ req, params, services }) => {
      // Only `keyexists` is a GET here; any other segment is a route Butler never had.
      if ((params.key ?? '').toLowerCase() !== 'keyexists') {
        throw new ApiError('ROUTE_NOT_FOUND', `Route GET:${new URL(req.url).pathname} not found`);
      }
      const namespace = namespaceParam(params);
      const raw = req.query.getAll('key');
      if (raw.length === 0) {
        throw new ApiError('VALIDATION', "querystring must have required property 'key'");
      }
      const key = raw.join(',');
      if (key.length > MAX_NAME_LENGTH) {
        throw new ApiError(
          'VALIDATION',
          `querystring/key must NOT have more than ${MAX_NAME_LENGTH} characters`,
        );
      }
      if (!(await services.kv.hasNamespace(namespace))) {
        throw new ApiError('KV_NAMESPACE_NOT_FOUND', `Namespace not found: ${namespace}`);
      }
      const entry = key === '' ? undefined : await services.kv.get(namespace, key);
      return {
        status: 200,
        body: entry
          ? {
              keyExists: true,
              keyValue: { namespace, key: entry.key, value: entry.value, ttl: entry.ttl },
            }
          : { keyExists: false, keyValue: {} },
      };
    },
  }),
  DELETE: method({
    enabledBy: 'keyValueStore',
    handle: async ({ params, services }) => {
      const namespace = namespaceParam(params);
      const key = params.key ?? '';
      checkName('key', key, 'params');
      await services.kv.deleteKey(namespace, key);
      return { status: 204 };
    },
  }),
});

registerEndpoint('keylist', 'v4/keylist/{namespace}', {
  GET: method({
    enabledBy: 'keyValueStore',
    handle: async ({ params, services }) => {
      const namespace = namespaceParam(params);
      const keys = await services.kv.keys(namespace);
      return { status: 200, body: { namespace, keys: keys.map((key) => ({ key })) } };
    },
  }),
});
