/**
 * Builds the OpenAPI document from the registered operation specs (shared/http/registry.ts): paths,
 * verbs, parameters, request bodies, success replies with their schemas and the error codes each
 * operation can answer. The top-level info, servers and security are fixed here.
 */
import { ERROR_CATALOGUE, type ErrorCode } from '../../shared/http/errors';
import type { DocumentedRoute, RegisteredRoute } from '../../shared/http/registry';
import type { Operation, ReplySpec } from '../../shared/http/spec';

type Json = Record<string, unknown>;

const INFO = {
  title: 'Butler Functions',
  version: '0.1.0',
  description:
    "Butler 16's REST API for Qlik Sense as Azure Functions. Every operation needs a function key (header " +
    'x-functions-key or query code) unless api.auth is anonymous. Clients that can only send GET and POST ' +
    "(Qlik's REST connector) send other verbs as POST with X-HTTP-Method-Override. Errors are {statusCode, " +
    'error, message, code}.\n',
};

const ERROR_SCHEMA = {
  type: 'object',
  required: ['statusCode', 'error', 'message', 'code'],
  properties: {
    statusCode: { type: 'integer' },
    error: { type: 'string' },
    message: { type: 'string', description: 'Names the field or the setting at fault' },
    code: { type: 'string', enum: Object.keys(ERROR_CATALOGUE) },
  },
};

/**
 * TypeBox emits JSON Schema; OpenAPI 3.0 has no `const` and no `type: null`. Symbols (TypeBox's
 * bookkeeping) are dropped by the JSON round trip.
 */
export function toOpenApiSchema(schema: unknown): unknown {
  const plain: unknown = JSON.parse(JSON.stringify(schema));
  return convert(plain);
}

function convert(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(convert);
  if (typeof node !== 'object' || node === null) return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) out[key] = convert(value);
  if ('const' in out) {
    out.enum = [out.const];
    delete out.const;
  }
  const anyOf = out.anyOf;
  if (Array.isArray(anyOf)) {
    const nonNull = anyOf.filter((s) => (s as Json).type !== 'null');
    if (nonNull.length < anyOf.length) {
      delete out.anyOf;
      if (nonNull.length === 1) Object.assign(out, nonNull[0] as Json, { nullable: true });
      else Object.assign(out, { anyOf: nonNull, nullable: true });
    }
  }
  return out;
}

function objectProperties(schema: unknown): { name: string; schema: unknown; required: boolean }[] {
  const s = schema as { properties?: Json; required?: string[] } | undefined;
  return Object.entries(s?.properties ?? {}).map(([name, prop]) => ({
    name,
    schema: prop,
    required: s?.required?.includes(name) ?? false,
  }));
}

function parameters(op: Operation): Json[] {
  const out: Json[] = [];
  for (const p of objectProperties(op.params)) {
    out.push(parameter(p.name, 'path', true, p.schema));
  }
  for (const p of objectProperties(op.query)) {
    out.push(parameter(p.name, 'query', p.required, p.schema));
  }
  return out;
}

function parameter(name: string, where: 'path' | 'query', required: boolean, schema: unknown): Json {
  const converted = toOpenApiSchema(schema) as Json;
  const { description, ...rest } = converted;
  return { name, in: where, required, ...(description ? { description } : {}), schema: rest };
}

/** Every spec'd operation can answer these, besides its own `errors`. */
function errorCodes(op: Operation): ErrorCode[] {
  const codes: ErrorCode[] = [];
  if (op.params || op.query || op.body) codes.push('VALIDATION');
  if (op.body) codes.push('INVALID_JSON', 'UNSUPPORTED_MEDIA_TYPE');
  codes.push('ENDPOINT_DISABLED', ...op.errors);
  return [...new Set(codes)];
}

function successReply(reply: ReplySpec): Json {
  return {
    description: reply.description,
    ...(reply.headers
      ? {
          headers: Object.fromEntries(
            Object.entries(reply.headers).map(([name, description]) => [
              name,
              { description, schema: { type: 'string' } },
            ]),
          ),
        }
      : {}),
    ...(reply.schema ? { content: { 'application/json': { schema: toOpenApiSchema(reply.schema) } } } : {}),
  };
}

/** Success replies (several per status become one, see `mergeReplies`), then one per error status. */
function responses(ops: readonly Operation[]): Json {
  const out: Json = {};
  const successes = new Map<string, Json[]>();
  for (const op of ops) {
    for (const [status, reply] of Object.entries(op.replies)) {
      successes.set(status, [...(successes.get(status) ?? []), successReply(reply)]);
    }
  }
  for (const [status, replies] of successes) out[status] = mergeReplies(replies);
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of new Set(ops.flatMap(errorCodes))) {
    const status = ERROR_CATALOGUE[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  for (const [status, codes] of [...byStatus].sort(([a], [b]) => a - b)) {
    out[String(status)] = {
      description: codes.join(', '),
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    };
  }
  return out;
}

function operation(op: Operation): Json {
  const params = parameters(op);
  const body = op.body;
  return {
    operationId: op.id,
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    ...(params.length > 0 ? { parameters: params } : {}),
    ...(body
      ? {
          requestBody: {
            required: op.body !== undefined && op.bodyDefault === undefined,
            content: { 'application/json': { schema: toOpenApiSchema(body) } },
          },
        }
      : {}),
    responses: responses([op]),
  };
}

/**
 * Several operations on one verb (literal segments, `Operation.segment`) are one OpenAPI operation:
 * the one without a segment (else the first) names it, the description lists each literal, the body
 * is optional when some variant takes none, and replies with the same status are alternatives.
 */
function merged(ops: readonly Operation[]): Json {
  const main = ops.find((op) => !op.segment) ?? ops[0];
  if (!main) throw new Error('a verb with no operations');
  // The operation's own description is rebuilt below with the literals.
  const { operationId, summary, description: _own, ...rest } = operation(main);
  const lines = ops.map((op) =>
    op.segment
      ? `- \`${op.segment.literal}\` (${op.id}): ${op.summary}`
      : `- any other value (${op.id}): ${op.summary}`,
  );
  const description = [main.description, ...lines].filter(Boolean).join('\n');
  if (rest.requestBody && ops.some((op) => !op.body)) (rest.requestBody as Json).required = false;
  return {
    operationId,
    summary,
    description,
    ...rest,
    responses: responses([main, ...ops.filter((op) => op !== main)]),
  };
}

/** One reply per status: descriptions joined, distinct body schemas as `anyOf`. */
function mergeReplies(replies: readonly Json[]): Json {
  if (replies.length === 1 && replies[0]) return replies[0];
  const descriptions = [...new Set(replies.map((r) => String(r.description)))];
  const schemas: unknown[] = [];
  for (const reply of replies) {
    const schema = (reply.content as { 'application/json'?: { schema?: unknown } } | undefined)?.[
      'application/json'
    ]?.schema;
    if (schema !== undefined && !schemas.some((s) => JSON.stringify(s) === JSON.stringify(schema))) {
      schemas.push(schema);
    }
  }
  const schema = schemas.length > 1 ? { anyOf: schemas } : schemas[0];
  return {
    ...replies[0],
    description: descriptions.join('; '),
    ...(schema !== undefined ? { content: { 'application/json': { schema } } } : {}),
  };
}

export function buildDocument(
  routes: readonly RegisteredRoute[],
  documented: readonly DocumentedRoute[],
): Json {
  const paths: Json = {};
  for (const { route, methods } of routes) {
    const item: Json = {};
    for (const [verb, entry] of Object.entries(methods)) {
      item[verb.toLowerCase()] = Array.isArray(entry)
        ? merged(entry as readonly Operation[])
        : operation(entry as Operation);
    }
    paths[`/${route}`] = item;
  }
  for (const { route, item } of documented) paths[`/${route}`] = toOpenApiSchema(item);
  return {
    openapi: '3.0.3',
    info: INFO,
    servers: [{ url: '/', description: 'The host serving this document' }],
    security: [{ functionKeyHeader: [] }, { functionKeyQuery: [] }],
    paths,
    components: {
      securitySchemes: {
        functionKeyHeader: { type: 'apiKey', in: 'header', name: 'x-functions-key' },
        functionKeyQuery: { type: 'apiKey', in: 'query', name: 'code' },
      },
      schemas: { Error: ERROR_SCHEMA },
    },
  };
}
