import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { RegisteredFunction } from '../core-shim';
import { invokeWithTimeout, triggerBinding } from '../invoke';
import { describeError } from '../log';
import { authLevelOf, requestKey } from './auth';
import type { PipelineContext } from './context';
import { HttpInvocationLog } from './invocation-log';
import { sendEmpty } from './respond';
import {
  fromRpcHttpResponse,
  httpInvocationRequest,
  toRpcHttpRequest,
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
  const request = httpInvocationRequest(fn, toRpcHttpRequest(facts));
  const invocationLog = new HttpInvocationLog(ctx.log, fn.metadata.name, request.invocationId);
  let result: HttpResult;
  try {
    const response = await invokeWithTimeout(ctx.shim, fn, request, ctx.settings.functionTimeoutMs);
    result = fromRpcHttpResponse(response);
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

/**
 * Route match → disabled check → key check → invocation. Unmatched → 404, bad key → 401, both with empty body.
 * `body` is undefined in stream mode: the request body is then still unread and piped to the function.
 */
export async function serveFunction(
  ctx: PipelineContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  body: Buffer | undefined,
): Promise<void> {
  const method = (req.method ?? 'GET').toUpperCase();
  // A refusal must not wait for (or keep the connection for) a body nobody reads.
  const refusalHeaders: Record<string, string> =
    body === undefined && !req.complete ? { Connection: 'close' } : {};
  const match = ctx.routes.match(method, url.pathname);
  const fn = match ? ctx.functions.get(match.functionName.toLowerCase()) : undefined;
  if (!match || !fn) {
    sendEmpty(res, 404, refusalHeaders);
    return;
  }
  const key = requestKey(req, url);
  if (ctx.disabled.has(fn.metadata.name.toLowerCase()) && !ctx.keys.isMaster(key)) {
    sendEmpty(res, 404, refusalHeaders);
    return;
  }
  const level = authLevelOf(triggerBinding(fn).binding);
  if (level !== 'anonymous' && !ctx.keys.authorize(level, fn.metadata.name, key)) {
    sendEmpty(res, 401, refusalHeaders);
    return;
  }
  const facts = {
    method,
    url,
    rawHeaders: req.rawHeaders,
    params: match.params,
    clientCertDer: peerCertificateDer(req),
    remoteAddress: req.socket.remoteAddress?.replace(/^::ffff:/, ''),
  };
  if (body !== undefined) await invokeHttpFunction(ctx, fn, res, { ...facts, body });
  else if (ctx.httpStreamUri) await invokeStreamedHttpFunction(ctx, fn, req, res, facts, ctx.httpStreamUri);
  else throw new Error('serveFunction needs the request body outside stream mode');
}
