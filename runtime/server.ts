import { promises as fs } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import tls from 'node:tls';
import { declaresBodyOver, readBodyWithLimit } from './pipeline/body';
import { isAdminPath, serveBuiltIn } from './pipeline/builtins';
import type { PipelineContext } from './pipeline/context';
import { serveFunction } from './pipeline/function-request';
import { sendEmpty, sendJson } from './pipeline/respond';
import { absoluteUrl } from './pipeline/rpc-http';
import { describeError } from './log';

const FORBIDDEN_BODY = {
  statusCode: 403,
  error: 'Forbidden',
  message: 'Client address not allowed',
  code: 'CLIENT_NOT_ALLOWED',
};
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export interface TlsFiles {
  cert: string;
  key: string;
  clientCa?: string | undefined;
}

function applyStandardHeaders(ctx: PipelineContext, res: ServerResponse, url: URL): void {
  for (const [name, value] of Object.entries(ctx.settings.customHeaders)) res.setHeader(name, value);
  const hsts = ctx.settings.hsts;
  // Like ASP.NET's HSTS middleware: HTTPS only, never for localhost.
  if (hsts && ctx.secure && !LOCAL_HOSTS.has(url.hostname.toLowerCase())) {
    let value = `max-age=${hsts.maxAgeSeconds}`;
    if (hsts.includeSubDomains) value += '; includeSubDomains';
    if (hsts.preload) value += '; preload';
    res.setHeader('Strict-Transport-Security', value);
  }
  if (ctx.isClosing()) res.setHeader('Connection', 'close');
}

async function handle(ctx: PipelineContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const address = req.socket.remoteAddress ?? '';
  if (!ctx.clients.allows(address)) {
    ctx.log(`Refused request from client address ${address || '(unknown)'}: not in the allow-list`);
    res.setHeader('Connection', 'close');
    sendJson(res, 403, FORBIDDEN_BODY);
    return;
  }
  let url: URL;
  try {
    url = absoluteUrl(req, ctx.secure, ctx.fallbackHost);
  } catch {
    sendEmpty(res, 400, { Connection: 'close' });
    return;
  }
  applyStandardHeaders(ctx, res, url);

  // Probes and admin calls bypass the throttle so a saturated host still answers its health check.
  const ticket = isAdminPath(url.pathname) ? undefined : ctx.throttle.tryAdmit();
  if (!isAdminPath(url.pathname) && !ticket) {
    sendEmpty(res, 429, { 'X-FUNCTION-SCALEOUT': '1' });
    return;
  }
  // A client that disconnects (queued or running) must give its slot back.
  res.once('close', () => ticket?.release());
  try {
    if (ticket) await ticket.ready;
    if (res.destroyed) return;
    if (ctx.httpStreamUri && !isAdminPath(url.pathname)) {
      await serveStreamed(ctx, req, res, url);
      return;
    }
    const read = await readBodyWithLimit(req, ctx.settings.bodyLimitBytes);
    if (!read.ok) {
      // Do not drain an oversized body: answer and drop the connection.
      if (read.reason === 'too-large') sendEmpty(res, 413, { Connection: 'close' });
      else res.destroy();
      return;
    }
    if (serveBuiltIn(ctx, req, res, url, read.body)) return;
    await serveFunction(ctx, req, res, url, read.body);
  } finally {
    ticket?.release();
  }
}

/** Stream mode: the body is not read here but piped to the function, counted against the limit on the way. */
async function serveStreamed(
  ctx: PipelineContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  if (declaresBodyOver(req, ctx.settings.bodyLimitBytes)) {
    sendEmpty(res, 413, { Connection: 'close' });
    return;
  }
  // Only the homepage can match here, and it ignores the body.
  if (serveBuiltIn(ctx, req, res, url, Buffer.alloc(0))) return;
  await serveFunction(ctx, req, res, url, undefined);
}

/** The request listener: never throws, never leaves a request unanswered. */
export function createRequestListener(
  ctx: PipelineContext,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const done = ctx.inFlight.begin();
    res.once('close', done);
    handle(ctx, req, res).catch((err: unknown) => {
      ctx.log(`Unexpected error while serving ${req.method ?? '?'} request: ${describeError(err)}`);
      if (!res.headersSent) sendEmpty(res, 500);
      else res.destroy();
    });
  };
}

export interface TlsMaterial {
  cert: Buffer;
  key: Buffer;
  ca: Buffer | undefined;
}

/** Reads and checks the PEM files up front so a bad certificate fails start-up before anything runs. */
export async function loadTlsMaterial(files: TlsFiles): Promise<TlsMaterial> {
  // One after the other, so the error names the first missing file every time.
  const cert = await readPem(files.cert, 'certificate');
  const key = await readPem(files.key, 'private key');
  const ca = files.clientCa ? await readPem(files.clientCa, 'client CA') : undefined;
  try {
    tls.createSecureContext({ cert, key, ca });
  } catch (err) {
    // Only OpenSSL's reason: never echo key material.
    throw new Error(
      `Cannot use the TLS certificate/key (${files.cert}, ${files.key}): ${(err as Error).message}`,
    );
  }
  return { cert, key, ca };
}

/** http or https (with optional required client certificate) server with the pipeline attached. */
export function createHostServer(
  ctx: PipelineContext,
  material: TlsMaterial | undefined,
): http.Server | https.Server {
  const listener = createRequestListener(ctx);
  let server: http.Server | https.Server;
  if (material) {
    const { cert, key, ca } = material;
    server = https.createServer(
      ca ? { cert, key, ca, requestCert: true, rejectUnauthorized: true } : { cert, key },
      listener,
    );
    server.on('tlsClientError', () => {
      // A failed handshake (e.g. missing client certificate) is the client's problem; nothing to answer.
    });
  } else {
    server = http.createServer(listener);
  }
  server.on('clientError', (_err: Error, socket: Socket) => {
    // Malformed request line or headers: answer 400 and close, as Kestrel would.
    if (socket.writable && !socket.destroyed) {
      socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    } else socket.destroy();
  });
  return server;
}

async function readPem(file: string, what: string): Promise<Buffer> {
  try {
    return await fs.readFile(file);
  } catch (err) {
    throw new Error(
      `Cannot read the TLS ${what} file ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
    );
  }
}
