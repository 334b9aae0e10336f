/**
 * One HTTP function per Butler path shape. The function accepts Butler's verbs plus POST (for
 * `X-HTTP-Method-Override`), dispatches on the effective method, checks the endpoint's enable flag,
 * parses and validates query and body, calls the handler and maps its result or error to JSON.
 */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { apiAuthLevel, getServices } from '../bootstrap';
import type { EndpointName } from '../config/types';
import { isEndpointEnabled } from './enabled';
import { ApiError, isApiError } from './errors';
import { readJsonBody } from './body';
import { effectiveMethod, type ApiMethod } from './method-override';
import { validate, type JsonSchema } from './validation';
import type { Services } from '../services';
import { errorMessage } from '../log';

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface HandlerInput<Q, B> {
  req: HttpRequest;
  ctx: InvocationContext;
  params: Record<string, string>;
  query: Q;
  body: B;
  services: Services;
}

export interface MethodSpec<Q = Record<string, unknown>, B = undefined> {
  /**
   * The `api.endpoints` flag that switches this operation off; a function when one path shape serves
   * several operations (it gets the path parameters).
   */
  enabledBy: EndpointName | ((params: Record<string, string>) => EndpointName);
  query?: JsonSchema;
  body?: JsonSchema;
  /** Used when the request has no body (absent or empty). */
  bodyDefault?: () => unknown;
  handle(input: HandlerInput<Q, B>): Promise<Reply>;
}

type AnyMethodSpec = MethodSpec<never, never>;

/** Keeps each method's handler typed while the table holds them side by side. */
export function method<Q = Record<string, unknown>, B = undefined>(spec: MethodSpec<Q, B>): AnyMethodSpec {
  return spec;
}

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' };

function errorReply(err: ApiError): HttpResponseInit {
  return { status: err.statusCode, headers: JSON_HEADERS, body: JSON.stringify(err.toBody()) };
}

function toResponse(reply: Reply): HttpResponseInit {
  if (reply.status === 204 || reply.body === undefined)
    return { status: reply.status, headers: reply.headers };
  return {
    status: reply.status,
    headers: { ...JSON_HEADERS, ...reply.headers },
    body: JSON.stringify(reply.body),
  };
}

function queryObject(req: HttpRequest): Record<string, string> {
  const out: Record<string, string> = {};
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

export function registerEndpoint(
  name: string,
  route: string,
  methods: Partial<Record<ApiMethod, AnyMethodSpec>>,
): void {
  const served = Object.keys(methods) as ApiMethod[];
  app.http(name, {
    route,
    methods: [...new Set<ApiMethod>([...served, 'POST'])],
    authLevel: apiAuthLevel,
    handler: async (req, ctx) => {
      const started = Date.now();
      const method = req.method;
      let verb: string = method;
      let response: HttpResponseInit;
      try {
        // Only a POST can carry an override: other requests skip the header lookup.
        verb = effectiveMethod(method, method === 'POST' ? req.headers.get('x-http-method-override') : null);
        response = await dispatch(req, ctx, verb, methods);
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

async function dispatch(
  req: HttpRequest,
  ctx: InvocationContext,
  verb: string,
  methods: Partial<Record<ApiMethod, AnyMethodSpec>>,
): Promise<HttpResponseInit> {
  const spec = methods[verb as ApiMethod];
  if (!spec) {
    throw new ApiError('ROUTE_NOT_FOUND', `Route ${verb}:${new URL(req.url).pathname} not found`);
  }
  const services = getServices();
  const flag = typeof spec.enabledBy === 'function' ? spec.enabledBy({ ...req.params }) : spec.enabledBy;
  if (!isEndpointEnabled(services.config.api.endpoints, flag)) {
    throw new ApiError(
      'ENDPOINT_DISABLED',
      `Endpoint ${verb}:${new URL(req.url).pathname} is disabled (api.endpoints ${flag})`,
    );
  }
  const query = spec.query ? validate('querystring', spec.query, queryObject(req)) : queryObject(req);
  let body: unknown = verb === 'GET' ? undefined : await readJsonBody(req);
  if (body === undefined && spec.bodyDefault) body = spec.bodyDefault();
  if (spec.body) body = validate('body', spec.body, body);
  const reply = await spec.handle({
    req,
    ctx,
    params: { ...req.params },
    query: query as never,
    body: body as never,
    services,
  });
  return toResponse(reply);
}
