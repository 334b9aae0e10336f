import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { RegisteredFunction } from '../core-shim';
import { invokeWithTimeout, triggerBinding } from '../invoke';
import { describeError } from '../log';
import { authLevelOf, requestKey } from './auth';
import type { AuthLevel, PipelineContext } from './context';
import { directPlanFor, invokeDirect } from './direct-http';
import { HttpInvocationLog } from './invocation-log';
import { sendEmpty } from './respond';
import {
  fromRpcHttpResponse,
  httpInvocationRequest,
  toRpcHttpRequest,
  traceParentFor,
  type HttpRequestFacts,
  type HttpResult,
} from './rpc-http';
import { invokeStreamedHttpFunction } from './stream-invocation';

function peerCertificateDer(req: IncomingMessage): Buffer | undefined {
  const socket = req.socket as Partial<TLSSocket>;
  if (typeof socket.getPeerCertificate !== 'function' || !socket.authorized) return undefined;
  const cert = socket.getPeerCertificate();
  return cert && Buffer.isBuffer(cert.raw) && cert.raw.length > 0 ? cert.raw : undefined;
}

function writeResult(res: ServerResponse, method: string, result: HttpResult): void {
  res.statusCode = result.status;
  // setHeader replaces the customHeaders set earlier: a header the function set wins (TryAdd).
  for (const [name, value] of result.headers) res.setHeader(name, value);
  if (result.cookies.length > 0) res.setHeader('Set-Cookie', result.cookies);
  const noBody = method === 'HEAD' || result.status === 204 || result.status === 304 || result.status < 200;
  if (noBody) {
    res.removeHeader('Content-Length');
    res.end();
    return;
  }
  res.setHeader('Content-Length', String(result.body.length));
  res.end(result.body);
}

async function invokeHttpFunction(
  ctx: PipelineContext,
  fn: RegisteredFunction,
  res: ServerResponse,
  facts: HttpRequestFacts,
): Promise<void> {
  const rpc = toRpcHttpRequest(facts);
  const plan = directPlanFor(ctx.shim, fn);
  const request = plan ? undefined : httpInvocationRequest(fn, rpc);
  const invocationId = request?.invocationId ?? randomUUID();
  const invocationLog = new HttpInvocationLog(
    ctx.log,
    ctx.settings.logLevels,
    fn.metadata.name,
    invocationId,
  );
  let result: HttpResult;
  try {
    if (plan) {
      result = await invokeDirect(ctx.shim, fn, plan, {
        invocationId,
        http: rpc.http,
        traceParent: traceParentFor(rpc.headers),
        traceState: rpc.headers.tracestate,
        timeoutMs: ctx.settings.functionTimeoutMs,
      });
    } else {
      const response = await invokeWithTimeout(ctx.shim, fn, request!, ctx.settings.functionTimeoutMs);
      result = fromRpcHttpResponse(response);
    }
    invocationLog.succeeded();
  } catch (err) {
    invocationLog.failed(err);
    sendEmpty(res, 500);
    return;
  }
  if (res.destroyed) return;
  try {
    writeResult(res, facts.method, result);
  } catch (err) {
    // e.g. a header value with characters HTTP does not allow
    invocationLog.problem(`returned a response that cannot be sent: ${describeError(err)}`);
    sendEmpty(res, 500);
  }
}

/** A routed, authorised request, or the status that refuses it (decided from the request line and headers). */
export type Resolution =
  { fn: RegisteredFunction; params: Record<string, string | undefined> } | { refused: 401 | 404 };

const authLevels = new WeakMap<RegisteredFunction, AuthLevel>();

function authLevelFor(fn: RegisteredFunction): AuthLevel {
  let level = authLevels.get(fn);
  if (level === undefined) {
    level = authLevelOf(triggerBinding(fn).binding);
    authLevels.set(fn, level);
  }
  return level;
}

/**
 * Route match → disabled check → key check, from the request line and headers alone: nothing here
 * waits for the body or takes a concurrency slot. Unmatched → 404, bad key → 401 (one rate-limited
 * log line naming address, function and reason, never the key).
 */
export function resolveFunction(
  ctx: PipelineContext,
  req: IncomingMessage,
  method: string,
  url: URL,
): Resolution {
  const match = ctx.routes.match(method, url.pathname);
  const fn = match ? ctx.functions.get(match.functionName.toLowerCase()) : undefined;
  if (!match || !fn) return { refused: 404 };
  const level = authLevelFor(fn);
  const disabled = ctx.disabled.size > 0 && ctx.disabled.has(fn.metadata.name.toLowerCase());
  if (level === 'anonymous' && !disabled) return { fn, params: match.params };
  const key = requestKey(req, url);
  if (disabled && !ctx.keys.isMaster(key)) return { refused: 404 };
  if (level !== 'anonymous' && !ctx.keys.authorize(level, fn.metadata.name, key)) {
    const reason = key === undefined ? 'no function key' : `a key that does not grant ${level} access`;
    ctx.audit.keys.line(
      `Refused ${method} ${url.pathname} (function ${fn.metadata.name}) from ${clientAddress(req)}: ${reason}`,
    );
    return { refused: 401 };
  }
  return { fn, params: match.params };
}

const NO_BODY = Buffer.alloc(0);

/** The peer's address as logged and forwarded (IPv4-mapped IPv6 shown as IPv4). */
export function clientAddress(req: IncomingMessage): string {
  const address = req.socket.remoteAddress;
  if (address === undefined) return '(unknown)';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

/**
 * Invokes a resolved function. `body` is undefined in stream mode: the request body is then still
 * unread and piped to the function.
 */
export function serveFunction(
  ctx: PipelineContext,
  req: IncomingMessage,
  res: ServerResponse,
  method: string,
  url: URL,
  target: { fn: RegisteredFunction; params: Record<string, string | undefined> },
  body: Buffer | undefined,
): Promise<void> {
  const { fn } = target;
  const facts = {
    method,
    url,
    rawHeaders: req.rawHeaders,
    params: target.params,
    clientCertDer: ctx.secure ? peerCertificateDer(req) : undefined,
    remoteAddress: req.socket.remoteAddress === undefined ? undefined : clientAddress(req),
    body: body ?? NO_BODY,
  };
  // The invocation's own promise, not another async layer around it.
  if (body !== undefined) return invokeHttpFunction(ctx, fn, res, facts);
  if (ctx.httpStreamUri) return invokeStreamedHttpFunction(ctx, fn, req, res, facts, ctx.httpStreamUri);
  return Promise.reject(new Error('serveFunction needs the request body outside stream mode'));
}
