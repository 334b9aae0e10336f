/**
 * One HTTP function per Butler path shape. The function accepts GET, PUT, DELETE and POST whatever
 * its spec serves (POST also carries `X-HTTP-Method-Override`), dispatches on the effective method, checks the endpoint's enable flag,
 * validates path parameters, query and body against the operation's spec (shared/http/spec.ts), calls
 * the handler and maps its result or error to JSON.
 */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { apiAuthLevel, getServices } from '../bootstrap';
import { isEndpointEnabled } from './enabled';
import { ApiError, isApiError } from './errors';
import { readJsonBody } from './body';
import { API_METHODS, effectiveMethod, type ApiMethod } from './method-override';
import { validate } from './validation';
import { errorMessage } from '../log';
import { recordRoute } from './registry';
import type { Operation, Reply } from './spec';

export { method, reply } from './spec';

const JSON_HEADERS: Record<string, string> = Object.freeze({
  'content-type': 'application/json; charset=utf-8',
});

function errorReply(err: ApiError): HttpResponseInit {
  return { status: err.statusCode, headers: JSON_HEADERS, body: JSON.stringify(err.toBody()) };
}

function toResponse(reply: Reply): HttpResponseInit {
  if (reply.status === 204 || reply.body === undefined)
    return { status: reply.status, headers: reply.headers };
  return {
    status: reply.status,
    // The library copies headers into its own Headers object, so the shared record is never changed.
    headers: reply.headers ? { ...JSON_HEADERS, ...reply.headers } : JSON_HEADERS,
    body: JSON.stringify(reply.body),
  };
}

function queryObject(req: HttpRequest): Record<string, string> {
  const out: Record<string, string> = {};
  if (req.query.size === 0) return out;
  for (const [name, value] of req.query) {
    if (name === 'code') continue; // the function key travels here; never treat it as input
    out[name] = out[name] === undefined ? value : `${out[name]},${value}`;
  }
  return out;
}

/** The last X-Forwarded-For entry is the one the host (or Azure's front end) added: a client can't forge it. */
function clientAddress(req: HttpRequest): string {
  return req.headers.get('x-forwarded-for')?.split(',').at(-1)?.trim() || 'unknown';
}

/**
 * Per verb, one operation or several: several when a literal and a parameter share a path position.
 * Those with a `segment` are tried in order; the last may have none and serves every other value.
 */
export type Methods = Partial<Record<ApiMethod, Operation | readonly Operation[]>>;

function variants(entry: Operation | readonly Operation[] | undefined): readonly Operation[] {
  if (entry === undefined) return [];
  return isOperationList(entry) ? entry : [entry];
}

function isOperationList(entry: Operation | readonly Operation[]): entry is readonly Operation[] {
  return Array.isArray(entry);
}

/** The operation serving this request's path parameters, if any. */
function pick(candidates: readonly Operation[], params: Record<string, string>): Operation | undefined {
  return candidates.find(
    (op) => !op.segment || params[op.segment.param]?.toLowerCase() === op.segment.literal.toLowerCase(),
  );
}

/** Route parameter names, as `{name}` or `{name:constraint}`/`{name?}`. */
function routeParams(route: string): string[] {
  return [...route.matchAll(/\{([A-Za-z0-9_]+)[^}]*\}/g)].map((m) => m[1] ?? '');
}

/**
 * A spec that forgets a path parameter would leave it unvalidated and undocumented: refuse it. Of
 * several operations on one verb, only the last may lack a `segment` (it would hide the others).
 */
function checkSpecs(name: string, route: string, methods: Methods): void {
  const expected = routeParams(route).sort().join(',');
  for (const [verb, entry] of Object.entries(methods)) {
    const ops = variants(entry);
    for (const [index, op] of ops.entries()) {
      const declared = Object.keys(op.params?.properties ?? {})
        .sort()
        .join(',');
      if (declared !== expected) {
        throw new Error(`${name} ${verb}: params declares [${declared}], route ${route} has [${expected}]`);
      }
      if (!op.segment && index < ops.length - 1) {
        throw new Error(`${name} ${verb}: ${op.id} has no segment but is not the last operation`);
      }
    }
  }
}

export function registerEndpoint(name: string, route: string, methods: Methods): void {
  checkSpecs(name, route, methods);
  recordRoute({ route, methods });
  // The operations of each verb, listed once rather than per request.
  const byVerb = new Map<string, readonly Operation[]>(
    Object.entries(methods).map(([verb, entry]) => [verb, variants(entry)]),
  );
  app.http(name, {
    route,
    // Every verb Butler's clients use, served or not, so a verb the spec lacks gets the same JSON
    // ROUTE_NOT_FOUND as an override to it (docs/butler-compatibility.md); other verbs stay the host's.
    methods: [...API_METHODS],
    authLevel: apiAuthLevel,
    handler: async (req, ctx) => {
      const started = Date.now();
      const method = req.method;
      let verb: string = method;
      let response: HttpResponseInit;
      try {
        // Only a POST can carry an override: other requests skip the header lookup.
        verb = effectiveMethod(method, method === 'POST' ? req.headers.get('x-http-method-override') : null);
        response = await dispatch(req, ctx, verb, byVerb);
      } catch (err) {
        if (isApiError(err)) {
          response = errorReply(err);
        } else {
          ctx.error(`${name} failed: ${errorMessage(err)}`);
          response = errorReply(new ApiError('INTERNAL', 'Internal error; see the host log'));
        }
      }
      ctx.info(
        `${name} ${verb} from ${clientAddress(req)} -> ${response.status ?? 200} in ${Date.now() - started} ms`,
      );
      return response;
    },
  });
}

const NONE: readonly Operation[] = [];

async function dispatch(
  req: HttpRequest,
  ctx: InvocationContext,
  verb: string,
  byVerb: ReadonlyMap<string, readonly Operation[]>,
): Promise<HttpResponseInit> {
  const rawParams: Record<string, string> = { ...req.params };
  const op = pick(byVerb.get(verb) ?? NONE, rawParams);
  if (!op) {
    throw new ApiError('ROUTE_NOT_FOUND', `Route ${verb}:${new URL(req.url).pathname} not found`);
  }
  const services = getServices();
  if (!isEndpointEnabled(services.config.api.endpoints, op.enabledBy)) {
    throw new ApiError(
      'ENDPOINT_DISABLED',
      `Endpoint ${verb}:${new URL(req.url).pathname} is disabled (api.endpoints ${op.enabledBy})`,
    );
  }
  const params: unknown = op.params ? validate('params', op.params, rawParams) : rawParams;
  const query: unknown = op.query ? validate('querystring', op.query, queryObject(req)) : queryObject(req);
  let body: unknown = verb === 'GET' ? undefined : await readJsonBody(req);
  if (body === undefined && op.bodyDefault) body = op.bodyDefault();
  if (op.body) body = validate('body', op.body, body);
  const reply = await op.run({ req, ctx, params, query, body, services });
  return toResponse(reply);
}
