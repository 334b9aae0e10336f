import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { RegisteredFunction } from '../core-shim';
import {
  buildInvocationRequest,
  FunctionTimeoutError,
  formatTimeSpan,
  invokeWithTimeout,
  triggerBinding,
} from '../invoke';
import { describeError } from '../log';
import { authLevelOf, requestKey } from './auth';
import type { PipelineContext } from './context';
import { sendEmpty } from './respond';
import { fromRpcHttpResponse, toRpcHttpRequest, traceParentFor, type HttpResult } from './rpc-http';

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
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  body: Buffer,
  params: Record<string, string>,
): Promise<void> {
  const method = (req.method ?? 'GET').toUpperCase();
  const { http, headers, triggerMetadata } = toRpcHttpRequest({
    method,
    url,
    rawHeaders: req.rawHeaders,
    body,
    params,
    clientCertDer: peerCertificateDer(req),
    remoteAddress: req.socket.remoteAddress?.replace(/^::ffff:/, ''),
  });
  const request = buildInvocationRequest(fn, {
    triggerData: { http },
    triggerMetadata,
    traceParent: traceParentFor(headers),
    traceState: headers.get('tracestate'),
  });
  const name = fn.metadata.name;
  const started = Date.now();
  ctx.log(
    `Executing 'Functions.${name}' (Reason='This function was programmatically called via the host APIs.', Id=${request.invocationId})`,
  );
  let result: HttpResult;
  try {
    const response = await invokeWithTimeout(ctx.shim, fn, request, ctx.settings.functionTimeoutMs);
    result = fromRpcHttpResponse(response);
    ctx.log(
      `Executed 'Functions.${name}' (Succeeded, Id=${request.invocationId}, Duration=${Date.now() - started}ms)`,
    );
  } catch (err) {
    if (err instanceof FunctionTimeoutError) {
      ctx.log(
        `ERROR: Timeout value of ${formatTimeSpan(err.timeoutMs)} exceeded by function 'Functions.${name}' ` +
          `(Id: '${request.invocationId}'). The embedded host answered 500 but cannot stop the handler, ` +
          `which keeps running (the real host would restart the worker process).`,
      );
    } else {
      ctx.log(
        `Executed 'Functions.${name}' (Failed, Id=${request.invocationId}, Duration=${Date.now() - started}ms): ` +
          describeError(err),
      );
    }
    sendEmpty(res, 500);
    return;
  }
  if (res.destroyed) return;
  try {
    writeResult(res, method, result);
  } catch (err) {
    // e.g. a header value with characters HTTP does not allow
    ctx.log(
      `Functions.${name} (Id=${request.invocationId}) returned a response that cannot be sent: ${describeError(err)}`,
    );
    sendEmpty(res, 500);
  }
}

/** Route match → disabled check → key check → invocation. Unmatched → 404, bad key → 401, both with empty body. */
export async function serveFunction(
  ctx: PipelineContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  body: Buffer,
): Promise<void> {
  const method = (req.method ?? 'GET').toUpperCase();
  const match = ctx.routes.match(method, url.pathname);
  const fn = match ? ctx.functions.get(match.functionName.toLowerCase()) : undefined;
  if (!match || !fn) {
    sendEmpty(res, 404);
    return;
  }
  const key = requestKey(req, url);
  if (ctx.disabled.has(fn.metadata.name.toLowerCase()) && !ctx.keys.isMaster(key)) {
    sendEmpty(res, 404);
    return;
  }
  const level = authLevelOf(triggerBinding(fn).binding);
  if (level !== 'anonymous' && !ctx.keys.authorize(level, fn.metadata.name, key)) {
    sendEmpty(res, 401);
    return;
  }
  await invokeHttpFunction(ctx, fn, req, res, url, body, match.params);
}
