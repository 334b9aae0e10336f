import { X509Certificate } from 'node:crypto';
import { promises as fs } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import tls, { type TLSSocket } from 'node:tls';
import { bodyPending, declaresBodyOver, readBodyWithLimit } from './pipeline/body';
import { isBuiltInPath, serveBuiltIn } from './pipeline/builtins';
import type { PipelineContext } from './pipeline/context';
import { resolveFunction, serveFunction } from './pipeline/function-request';
import { answerUnreadBody, sendEmpty } from './pipeline/respond';
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

/** host.json customHeaders as a list, made once per settings object. */
const customHeaderLists = new WeakMap<object, [string, string][]>();

function applyStandardHeaders(ctx: PipelineContext, res: ServerResponse, url: URL): void {
  let custom = customHeaderLists.get(ctx.settings);
  if (!custom) {
    custom = Object.entries(ctx.settings.customHeaders);
    customHeaderLists.set(ctx.settings, custom);
  }
  for (const [name, value] of custom) res.setHeader(name, value);
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

/** What the request listener learns while serving, for its one `close` listener. */
interface Served {
  /** Frees the throttle slot: when done, or when the client goes away first. */
  release?: () => void;
}

async function handle(
  ctx: PipelineContext,
  req: IncomingMessage,
  res: ServerResponse,
  served: Served,
): Promise<void> {
  // Node upper-cases the methods it knows; anything else is compared as sent.
  const method = req.method ?? 'GET';
  let url: URL;
  try {
    url = absoluteUrl(req, ctx.secure, ctx.fallbackHost);
  } catch {
    sendEmpty(res, 400, { Connection: 'close' });
    return;
  }
  applyStandardHeaders(ctx, res, url);

  // Probes and admin calls bypass the throttle so a saturated host still answers its health check.
  if (isBuiltInPath(url.pathname) && (await serveBuiltIn(ctx, req, res, url, method))) return;

  // Authenticate before waiting: refused from the request line and headers, without a slot or a body byte.
  const target = resolveFunction(ctx, req, method, url);
  if ('refused' in target) {
    sendEmpty(res, target.refused, bodyPending(req) ? { Connection: 'close' } : {});
    return;
  }
  const ticket = ctx.throttle.tryAdmit();
  if (!ticket) {
    sendEmpty(res, 429, { 'X-FUNCTION-SCALEOUT': '1', ...(bodyPending(req) ? { Connection: 'close' } : {}) });
    return;
  }
  // A client that disconnects (queued or running) must give its slot back.
  served.release = () => ticket.release();
  try {
    if (ticket.queued) {
      await ticket.ready;
      if (res.destroyed) return;
    }
    if (ctx.httpStreamUri) {
      if (declaresBodyOver(req, ctx.settings.bodyLimitBytes)) {
        sendEmpty(res, 413, { Connection: 'close' });
        return;
      }
      await serveFunction(ctx, req, res, method, url, target, undefined);
      return;
    }
    const read = await readBodyWithLimit(
      req,
      ctx.settings.bodyLimitBytes,
      ctx.settings.limits.bodyIdleTimeoutMs,
    );
    if (!read.ok) {
      answerUnreadBody(res, read.reason);
      return;
    }
    await serveFunction(ctx, req, res, method, url, target, read.body);
  } finally {
    ticket.release();
  }
}

/** The request listener: never throws, never leaves a request unanswered. */
export function createRequestListener(
  ctx: PipelineContext,
  guard: ConnectionGuard,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    // A connection refused at connect time may still deliver a request before it closes: ignore it.
    if (guard.isRefused(req.socket)) {
      res.destroy();
      return;
    }
    const done = ctx.inFlight.begin();
    const served: Served = {};
    // One listener for both: 'close' is emitted once per response.
    res.on('close', () => {
      done();
      served.release?.();
    });
    handle(ctx, req, res, served).catch((err: unknown) => {
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
  if (ca && files.clientCa) requireCaCertificate(ca, files.clientCa);
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

/**
 * TLS policy: TLS 1.2 or newer, forward-secret (ECDHE) key exchange and AEAD ciphers only, server
 * preference. TLS 1.3 suites are all forward-secret AEAD; the TLS 1.2 list excludes static RSA key
 * exchange, CBC modes, DHE, SHA-1 MACs and anything export/NULL/anonymous.
 */
export const TLS_MIN_VERSION = 'TLSv1.2';
export const TLS_CIPHERS = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

/** Raw answers written on a socket before (or instead of) HTTP parsing. */
function rawResponse(status: string, body: string): string {
  const type = body ? 'Content-Type: application/json; charset=utf-8\r\n' : '';
  return `HTTP/1.1 ${status}\r\n${type}Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}
const FORBIDDEN_RESPONSE = rawResponse('403 Forbidden', JSON.stringify(FORBIDDEN_BODY));
const BUSY_RESPONSE = rawResponse('503 Service Unavailable', '');
/** How long a refused connection may stay half-closed for the client to read its answer. */
const REFUSED_LINGER_MS = 2000;

/**
 * Connection-time checks: the allow-list and the per-address connection cap. A refused plain-HTTP
 * peer gets its answer at once (it need not send anything) and the socket is closed; on HTTPS no
 * answer is possible before the handshake, so the TCP connection is simply closed (no TLS work is
 * spent on it).
 */
export class ConnectionGuard {
  readonly #perAddress = new Map<string, number>();
  readonly #refused = new WeakSet<Socket>();

  constructor(
    private readonly ctx: PipelineContext,
    private readonly tls: boolean,
  ) {}

  isRefused(socket: Socket): boolean {
    return this.#refused.has(socket);
  }

  /** Open connections from one address (tests and the status page). */
  openFrom(address: string): number {
    return this.#perAddress.get(address) ?? 0;
  }

  onConnection = (socket: Socket): void => {
    const address = socket.remoteAddress;
    // Already reset by the client: nothing to answer and nothing to log (it is not a refusal).
    if (address === undefined || socket.destroyed) {
      socket.destroy();
      return;
    }
    if (!this.ctx.clients.allows(address)) {
      this.ctx.audit.clients.line(
        `Refused connection from client address ${address.replace(/^::ffff:/, '')}: not in the allow-list`,
      );
      this.refuse(socket, FORBIDDEN_RESPONSE);
      return;
    }
    const open = (this.#perAddress.get(address) ?? 0) + 1;
    if (open > this.ctx.settings.limits.maxConnectionsPerClient) {
      this.ctx.audit.clients.line(
        `Refused connection from ${address.replace(/^::ffff:/, '')}: it already has ` +
          `${open - 1} open connections (embeddedHost.maxConnectionsPerClient)`,
      );
      this.refuse(socket, BUSY_RESPONSE);
      return;
    }
    this.#perAddress.set(address, open);
    socket.once('close', () => {
      const left = (this.#perAddress.get(address) ?? 1) - 1;
      if (left <= 0) this.#perAddress.delete(address);
      else this.#perAddress.set(address, left);
    });
  };

  private refuse(socket: Socket, response: string): void {
    this.#refused.add(socket);
    // A reset while we answer is the client's business.
    socket.on('error', () => undefined);
    if (this.tls) {
      socket.destroy();
      return;
    }
    socket.end(response);
    setTimeout(() => socket.destroy(), REFUSED_LINGER_MS).unref();
  }
}

/** The reason OpenSSL or Node gave for a failed handshake; never certificate or key material. */
function handshakeReason(err: Error): string {
  const code = (err as NodeJS.ErrnoException).code;
  return code && code !== 'ERR_SSL_SSL_HANDSHAKE_FAILURE' ? code : (err.message.split('\n')[0] ?? 'error');
}

/** Malformed or too large request heads, timeouts: answer like Kestrel (400/431/408) and close. */
function onClientError(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || !socket.writable || socket.destroyed) {
    socket.destroy();
    return;
  }
  let status = '400 Bad Request';
  if (err.code === 'HPE_HEADER_OVERFLOW') status = '431 Request Header Fields Too Large';
  else if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') status = '408 Request Timeout';
  socket.end(rawResponse(status, ''));
}

/** http or https (with optional required client certificate) server with the pipeline and its limits attached. */
export function createHostServer(
  ctx: PipelineContext,
  material: TlsMaterial | undefined,
): http.Server | https.Server {
  const limits = ctx.settings.limits;
  const guard = new ConnectionGuard(ctx, Boolean(material));
  const listener = createRequestListener(ctx, guard);
  const httpOptions: http.ServerOptions = {
    maxHeaderSize: limits.maxHeaderBytes,
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // How often Node checks the two timeouts above: a fraction of the shorter one.
    connectionsCheckingInterval: Math.max(250, Math.min(5000, Math.floor(limits.headersTimeoutMs / 4))),
  };
  let server: http.Server | https.Server;
  if (material) {
    const { cert, key, ca } = material;
    server = https.createServer(
      {
        ...httpOptions,
        cert,
        key,
        minVersion: TLS_MIN_VERSION,
        ciphers: TLS_CIPHERS,
        honorCipherOrder: true,
        // A handshake must not hold a connection longer than a request head may.
        handshakeTimeout: Math.min(limits.headersTimeoutMs, 120_000),
        ...(ca ? { ca, requestCert: true, rejectUnauthorized: true } : {}),
      },
      listener,
    );
    server.on('tlsClientError', (err: Error, socket: TLSSocket) => {
      const code = (err as NodeJS.ErrnoException).code;
      // A client that gave up (reset) is not a handshake failure worth a line.
      if (code === 'ECONNRESET' || code === 'EPIPE' || guard.isRefused(socket)) return;
      const address = socket.remoteAddress?.replace(/^::ffff:/, '') ?? '(unknown)';
      ctx.audit.tls.line(`TLS handshake with ${address} failed: ${handshakeReason(err)}`);
    });
  } else {
    server = http.createServer(httpOptions, listener);
  }
  server.maxConnections = limits.maxConnections;
  // Before the HTTP layer sees the socket (for HTTPS: before the handshake).
  server.prependListener('connection', guard.onConnection);
  server.on('clientError', onClientError);
  return server;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * A client CA file must hold at least one CA certificate: without one OpenSSL would accept no client at
 * all (or, with a leaf certificate, trust exactly that one), which is never what was meant.
 */
function requireCaCertificate(pem: Buffer, file: string): void {
  const blocks = pem.toString('latin1').match(PEM_CERTIFICATE) ?? [];
  const isCa = blocks.some((block) => {
    try {
      return new X509Certificate(block).ca;
    } catch {
      return false;
    }
  });
  if (!isCa) {
    throw new Error(
      `The client CA file ${file} holds no CA certificate (expected a PEM "BEGIN CERTIFICATE" block with CA:TRUE)`,
    );
  }
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
