/**
 * The Engine WebSocket endpoint (docs/sense-facts.md §10.1, §11): upgrades on `/`, `/app/engineData` and
 * `/app/<appId>` over the mTLS listener, OnConnected, then JSON-RPC frames handled concurrently so a slow
 * DoReload does not block other calls on the same socket.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { RawData } from 'ws';
import { EngineSession } from './engine-session';
import { EngineError } from './engine-rpc';
import { holdAnswer, type FaultList } from './faults';
import { parseQlikUser, peerCommonName, splitTarget } from './request-parts';
import type { TlsListener } from './tls-listener';
import type { EngineCall, EngineConnection, EngineFault, SenseFixtures } from './types';

export interface EngineDeps {
  fixtures: SenseFixtures;
  /** Journals a call (and tells whoever waits for it). */
  record: (call: EngineCall) => void;
  connections: EngineConnection[];
  faults: FaultList<EngineFault>;
  strictUser: boolean;
  signal: AbortSignal;
}

export interface EngineServer {
  close(): void;
}

const MAX_FRAME_BYTES = 1024 * 1024;

/** `/app/<id>` (any case), `/app/engineData`, `/`; `/identity/…` and `/ttl/…` suffixes are ignored. */
export function engineAppPath(path: string): { ok: boolean; appId: string | undefined } {
  const base = path.replace(/\/(?:identity|ttl)\/.*$/i, '').replace(/\/+$/, '');
  if (base === '') return { ok: true, appId: undefined };
  const match = /^\/app\/([^/]+)$/i.exec(base);
  if (!match) return { ok: false, appId: undefined };
  const id = match[1] ?? '';
  return { ok: true, appId: id.toLowerCase() === 'enginedata' ? undefined : id };
}

function refuseUpgrade(socket: Duplex, status: number, reason: string, text: string): void {
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
  );
}

function send(ws: WebSocket, message: unknown): void {
  if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(message));
}

type Frame = { id?: unknown; handle?: unknown; method?: unknown; params?: unknown };

async function answer(
  deps: EngineDeps,
  ws: WebSocket,
  session: EngineSession,
  conn: EngineConnection,
  frame: Frame,
) {
  const id = frame.id;
  const reply = (body: { result: unknown } | { error: unknown }) => send(ws, { jsonrpc: '2.0', id, ...body });
  if (typeof frame.method !== 'string')
    return reply({ error: new EngineError(-32600, '', 'Invalid Request') });
  const method = frame.method;
  const handle = typeof frame.handle === 'number' ? frame.handle : -1;
  deps.record({ path: conn.path, method, handle, params: frame.params, peerCN: conn.peerCN });

  const fault = deps.faults.take({
    method,
    appId: session.appIdFor(handle, method, frame.params) ?? pathApp(conn),
  });
  if (fault) await holdAnswer(fault, deps.signal);
  if (fault?.closeSocket) return ws.terminate();
  if (fault?.error) {
    const { code, message, parameter } = fault.error;
    return reply({ error: { code, parameter: parameter ?? '', message } });
  }
  try {
    reply({ result: await session.call(handle, method, frame.params) });
  } catch (err) {
    if (deps.signal.aborted) return;
    reply({ error: err instanceof EngineError ? err : new EngineError(-1, '', 'Internal error') });
  }
}

function pathApp(conn: EngineConnection): string | undefined {
  return engineAppPath(conn.path).appId;
}

function frameText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
}

function onConnection(deps: EngineDeps, ws: WebSocket, conn: EngineConnection): void {
  const session = new EngineSession(deps.fixtures, deps.signal);
  ws.on('error', () => undefined);
  ws.on('message', (data, isBinary) => {
    let frame: Frame;
    try {
      const parsed: unknown = JSON.parse(isBinary ? '' : frameText(data));
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
        throw new Error('not an object');
      frame = parsed;
    } catch {
      send(ws, { jsonrpc: '2.0', id: null, error: new EngineError(-32700, '', 'Parse error') });
      return;
    }
    answer(deps, ws, session, conn, frame).catch(() => ws.terminate());
  });
  send(ws, { jsonrpc: '2.0', method: 'OnConnected', params: { qSessionState: 'SESSION_CREATED' } });
}

export function serveEngine(listener: TlsListener, deps: EngineDeps): EngineServer {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  listener.server.on('request', (_req, res) => {
    res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end('WebSocket upgrade required');
  });
  listener.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined);
    const { path } = splitTarget(req.url ?? '/');
    if (!engineAppPath(path).ok) return refuseUpgrade(socket, 404, 'Not Found', 'Unknown engine path');
    const user = parseQlikUser(req.headers);
    if (deps.strictUser && user === null) {
      return refuseUpgrade(
        socket,
        403,
        'Forbidden',
        'Access denied: missing or malformed X-Qlik-User header',
      );
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const conn: EngineConnection = { path, peerCN: peerCommonName(req.socket), user };
      deps.connections.push(conn);
      onConnection(deps, ws, conn);
    });
  });
  return {
    close: () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
    },
  };
}
