/**
 * Minimal clients for the simulator's own tests: an undici QRS requester that controls every header, and a
 * promise-based JSON-RPC client over undici's WebSocket (the transport the Sense client uses).
 */
import { readFileSync } from 'node:fs';
import { Agent, Client, WebSocket, request } from 'undici';
import type { Dispatcher } from 'undici';
import type { SenseSim, TestPki } from './index';

export const XRFKEY = 'abcdefghij012345';
export const USER_HEADER = 'UserDirectory=INTERNAL; UserId=sa_repository';

export type Identity = 'client' | 'rogue' | 'none';

function connectOptions(pki: TestPki, identity: Identity) {
  const ca = readFileSync(pki.caCert);
  const cred =
    identity === 'client'
      ? { cert: readFileSync(pki.clientCert), key: readFileSync(pki.clientKey) }
      : identity === 'rogue'
        ? { cert: readFileSync(pki.rogueCert), key: readFileSync(pki.rogueKey) }
        : {};
  return { ca, ...cred, servername: 'localhost', timeout: 5000 };
}

export function makeAgent(pki: TestPki, identity: Identity = 'client'): Agent {
  return new Agent({ connect: connectOptions(pki, identity) });
}

/** A single-connection client: every request shares one TLS session. */
export function makeSingleClient(pki: TestPki, sim: SenseSim): Client {
  return new Client(`https://${sim.host}:${sim.qrsPort}`, { connect: connectOptions(pki, 'client') });
}

export interface QrsResponse {
  status: number;
  contentType: string | undefined;
  /** Raw body bytes (undici's text() would strip a UTF-8 BOM). */
  bytes: Buffer;
  text: string;
  json(): unknown;
}

export interface QrsRequestOptions {
  method?: string;
  /** Raw query (already encoded) appended after `?`; the xrfkey is NOT added when given. */
  rawQuery?: string;
  /** Encoded filter; the standard xrfkey query and header are added. */
  filter?: string;
  headers?: Record<string, string>;
  body?: string;
}

/** Sends one QRS request; by default with a valid xrfkey (query + header) and X-Qlik-User. */
export async function qrs(
  sim: SenseSim,
  agent: Dispatcher,
  path: string,
  opts: QrsRequestOptions = {},
): Promise<QrsResponse> {
  const query =
    opts.rawQuery ??
    `xrfkey=${XRFKEY}${opts.filter === undefined ? '' : `&filter=${encodeURIComponent(opts.filter)}`}`;
  const headers: Record<string, string> = {
    'x-qlik-xrfkey': XRFKEY,
    'x-qlik-user': USER_HEADER,
    ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }),
    ...opts.headers,
  };
  for (const [k, v] of Object.entries(headers)) if (v === '') delete headers[k];
  const res = await request(`https://${sim.host}:${sim.qrsPort}${path}${query === '' ? '' : `?${query}`}`, {
    method: (opts.method ?? 'GET') as 'GET',
    dispatcher: agent,
    headers,
    body: opts.body,
  });
  const bytes = Buffer.from(await res.body.arrayBuffer());
  const text = bytes.toString('utf8');
  const ct = res.headers['content-type'];
  return {
    status: res.statusCode,
    contentType: Array.isArray(ct) ? ct[0] : ct,
    bytes,
    text,
    json: () => JSON.parse(text) as unknown,
  };
}

export interface RpcMessage {
  id?: number;
  result?: Record<string, unknown>;
  error?: { code: number; parameter: string; message: string };
}

/** JSON-RPC over WSS; `open` resolves once OnConnected arrived, `closed` when the socket ends. */
export class RpcClient {
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve: (m: RpcMessage) => void; reject: (e: Error) => void }
  >();
  readonly closed: Promise<number>;

  private constructor(private readonly ws: WebSocket) {
    this.closed = new Promise((resolve) => {
      ws.addEventListener('close', (e) => {
        for (const p of this.pending.values()) p.reject(new Error('socket closed'));
        this.pending.clear();
        resolve(e.code);
      });
    });
    ws.addEventListener('message', (e) => {
      const msg = JSON.parse(String(e.data)) as RpcMessage;
      if (typeof msg.id !== 'number') return;
      this.pending.get(msg.id)?.resolve(msg);
      this.pending.delete(msg.id);
    });
  }

  static open(
    sim: SenseSim,
    agent: Agent,
    path = '/',
    headers: Record<string, string> = {},
  ): Promise<RpcClient> {
    const ws = new WebSocket(`wss://${sim.host}:${sim.enginePort}${path}`, {
      dispatcher: agent,
      headers: { 'x-qlik-user': USER_HEADER, ...headers },
    });
    return new Promise((resolve, reject) => {
      const client = new RpcClient(ws);
      ws.addEventListener('message', function first(e) {
        const msg = JSON.parse(String(e.data)) as { method?: string };
        if (msg.method !== 'OnConnected') return;
        ws.removeEventListener('message', first);
        resolve(client);
      });
      ws.addEventListener('error', () => reject(new Error('websocket failed')));
      ws.addEventListener('close', () => reject(new Error('websocket closed before OnConnected')));
    });
  }

  /** Sends a raw frame (for malformed-input tests); resolves with the next message carrying `id`. */
  sendRaw(text: string, expectId: number | null): Promise<unknown> {
    return new Promise((resolve) => {
      this.ws.addEventListener('message', function onMessage(e) {
        const msg = JSON.parse(String(e.data)) as { id?: unknown };
        if (msg.id !== expectId) return;
        resolve(msg);
      });
      this.ws.send(text);
    });
  }

  call(method: string, params: unknown = [], handle = -1): Promise<RpcMessage> {
    const id = this.nextId;
    this.nextId += 1;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.ws.send(JSON.stringify({ jsonrpc: '2.0', id, handle, method, params }));
    });
  }

  /** Calls and returns `result`, failing on an error answer. */
  async ok(method: string, params: unknown = [], handle = -1): Promise<Record<string, unknown>> {
    const msg = await this.call(method, params, handle);
    if (!msg.result) throw new Error(`${method} failed: ${JSON.stringify(msg.error)}`);
    return msg.result;
  }

  /** The new handle from a `qReturn` object answer. */
  async handle(method: string, params: unknown, handle: number): Promise<number> {
    const result = await this.ok(method, params, handle);
    return (result.qReturn as { qHandle: number }).qHandle;
  }

  close(): Promise<number> {
    this.ws.close(1000);
    return this.closed;
  }
}
