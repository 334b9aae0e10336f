/**
 * One proxied request to the library's stream listener (HttpUri): the client's body is piped there
 * (counted against the body limit) and the library's answer is piped back, as the real host does.
 */
import http, { type ClientRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { sendEmpty } from './respond';

const INVOCATION_ID_HEADER = 'x-ms-invocation-id';

/** Connection-level headers are the proxy's own business; the library reads only the three it needs. */
const HOP_BY_HOP = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
];
const NOT_FORWARDED = new Set([
  ...HOP_BY_HOP,
  'host',
  'content-length',
  'expect',
  INVOCATION_ID_HEADER,
  'x-forwarded-host',
  'x-forwarded-proto',
]);
const NOT_RELAYED = new Set([...HOP_BY_HOP, INVOCATION_ID_HEADER]);

export interface StreamProxyOptions {
  /** The library's listener, e.g. http://localhost:55000/ */
  target: URL;
  invocationId: string;
  method: string;
  /** The absolute URL the function sees (its host and scheme travel as x-forwarded-*). */
  url: URL;
  /** Request headers as the function sees them. */
  headers: Record<string, string>;
  bodyLimit: number;
  req: IncomingMessage;
  res: ServerResponse;
  /**
   * Settles once the library took the proxied request (or the invocation ended). Only then may the
   * proxied request be torn down: torn down earlier, the library would wait for it forever.
   */
  delivered: Promise<void>;
  report: (message: string) => void;
}

function forwardedHeaders(opts: StreamProxyOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(opts.headers))
    if (!NOT_FORWARDED.has(name)) headers[name] = value;
  headers[INVOCATION_ID_HEADER] = opts.invocationId;
  headers['x-forwarded-host'] = opts.url.host;
  headers['x-forwarded-proto'] = opts.url.protocol.replace(/:$/, '');
  // With "close" the library's server shuts the connection as soon as it answered, so a body the function
  // did not read fails with EPIPE before the answer is read. Kept alive, this side closes it once the answer
  // is complete; the socket is never reused (agent: false destroys it when the exchange is done).
  headers.connection = 'keep-alive';
  return headers;
}

export class StreamProxy {
  /** Resolves when the client's response is finished or its connection is gone. */
  readonly closed: Promise<void>;
  readonly #opts: StreamProxyOptions;
  readonly #proxyReq: ClientRequest;
  /** Set once the host answered itself (413, 500, 204): a late answer from the library is dropped. */
  #hostAnswered = false;
  #relaying = false;
  /** False once the proxied exchange wants no more body: the rest is read, counted and discarded. */
  #forwarding = true;
  #received = 0;

  constructor(opts: StreamProxyOptions) {
    this.#opts = opts;
    const { res } = opts;
    this.closed = res.destroyed ? Promise.resolve() : new Promise((resolve) => res.once('close', resolve));
    res.once('close', () => {
      // The client went away: nothing more to send or to forward.
      if (!res.writableFinished) this.abandon();
    });
    // GET/HEAD bodies are dropped by the library; a body on them is still counted, then discarded.
    const forwardBody = opts.method !== 'GET' && opts.method !== 'HEAD';
    const headers = forwardedHeaders(opts);
    if (forwardBody) headers['transfer-encoding'] = 'chunked';
    this.#proxyReq = http.request({
      hostname: opts.target.hostname.replace(/^\[|\]$/g, ''),
      port: opts.target.port || 80,
      method: opts.method,
      path: opts.url.pathname + opts.url.search,
      headers,
      // A private agent per invocation: the connection is closed once request and answer are complete.
      agent: false,
    });
    this.#proxyReq.on('response', (proxyRes) => this.#relay(proxyRes));
    this.#proxyReq.on('error', (err) => this.#onProxyError(err));
    this.#proxyReq.flushHeaders();
    this.#pipeBody(forwardBody);
  }

  /**
   * The host answers with an empty `status` (413, 500, or 204 when the function answered nothing) unless
   * the library's answer already started, which is then cut off (or left alone when complete).
   */
  answer(status: number, headers: Record<string, string> = {}): void {
    const { res } = this.#opts;
    this.#hostAnswered = true;
    if (!res.writableFinished) {
      if (res.headersSent) res.destroy();
      else sendEmpty(res, status, headers);
    }
    this.abandon();
  }

  /**
   * Stops forwarding (the rest of the client's body is still read and counted, so a keep-alive client
   * is not left stuck) and tears the proxied request down once the library has it.
   */
  abandon(): void {
    if (!this.#forwarding) return;
    this.#forwarding = false;
    this.#opts.req.resume();
    const proxyReq = this.#proxyReq;
    void this.#opts.delivered.then(() => {
      if (!proxyReq.destroyed) proxyReq.destroy();
    });
  }

  #pipeBody(forwardBody: boolean): void {
    const { req, res, bodyLimit } = this.#opts;
    const proxyReq = this.#proxyReq;
    const onData = (chunk: Buffer): void => {
      this.#received += chunk.length;
      if (this.#received > bodyLimit) {
        req.off('data', onData);
        // Do not drain an oversized body: answer (or cut the answer off) and drop the connection.
        if (res.writableFinished) req.destroy();
        else this.answer(413, { Connection: 'close' });
        return;
      }
      if (!this.#forwarding || !forwardBody) return;
      if (!proxyReq.write(chunk)) {
        req.pause();
        proxyReq.once('drain', () => req.resume());
      }
    };
    req.on('data', onData);
    req.once('end', () => {
      if (this.#forwarding) proxyReq.end();
    });
    req.once('error', () => this.abandon());
  }

  #relay(proxyRes: IncomingMessage): void {
    const { res } = this.#opts;
    if (this.#hostAnswered || res.destroyed) {
      proxyRes.resume();
      return;
    }
    this.#relaying = true;
    res.statusCode = proxyRes.statusCode ?? 500;
    try {
      // setHeader replaces the customHeaders set earlier: a header the function set wins (TryAdd).
      for (const [name, values] of Object.entries(proxyRes.headersDistinct)) {
        if (NOT_RELAYED.has(name) || !values) continue;
        res.setHeader(name, values.length === 1 ? (values[0] ?? '') : values);
      }
    } catch (err) {
      this.#opts.report(`returned a response that cannot be sent: ${(err as Error).message}`);
      proxyRes.resume();
      this.answer(500);
      return;
    }
    proxyRes.once('error', () => undefined);
    proxyRes.once('end', () => {
      // The function has answered: a body it did not read is not sent on (as a reverse proxy does).
      if (!this.#proxyReq.writableFinished) this.abandon();
    });
    proxyRes.once('close', () => {
      // The library's side broke off mid-answer: the client must not take a cut body as complete.
      if (!proxyRes.complete && !res.writableFinished) res.destroy();
    });
    proxyRes.pipe(res);
  }

  #onProxyError(err: Error): void {
    // Once the answer is being relayed, a broken connection is handled where the answer is piped.
    if (!this.#forwarding || this.#relaying) return;
    const code = (err as NodeJS.ErrnoException).code;
    this.#opts.report(`could not reach the library's stream listener: ${code ?? err.message}`);
    this.answer(500);
  }
}
