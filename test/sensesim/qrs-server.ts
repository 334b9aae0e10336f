/**
 * The QRS pipeline (docs/sense-facts.md §11): journal → faults → xrfkey → X-Qlik-User → route → answer.
 * JSON answers are `application/json; charset=utf-8`, errors plain text, as QRS does.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { holdAnswer, type FaultList } from './faults';
import type { NotificationHub } from './notifications';
import { isFilterSyntaxError } from './filter';
import { routeQrs } from './qrs-routes';
import type { QrsAnswer } from './qrs-routes';
import {
  XSRF_MESSAGE,
  parseQlikUser,
  parseQuery,
  peerCommonName,
  queryValue,
  splitTarget,
  xrfkeyOk,
} from './request-parts';
import type { TlsListener } from './tls-listener';
import type { QrsCall, QrsFault, SenseFixtures } from './types';

const MAX_BODY_BYTES = 1024 * 1024;

export interface QrsDeps {
  fixtures: SenseFixtures;
  /** Journals a call (and tells whoever waits for it). */
  record: (call: QrsCall) => void;
  faults: FaultList<QrsFault>;
  strictUser: boolean;
  /** Aborted on close so delayed answers do not keep the process alive. */
  signal: AbortSignal;
  downloads: Map<string, string>;
  notifications: NotificationHub;
}

class BodyTooLarge extends Error {}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLarge();
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function send(res: ServerResponse, call: QrsCall, answer: QrsAnswer): void {
  call.status = answer.status;
  if (answer.status === 204) {
    res.writeHead(204).end();
  } else if (answer.json !== undefined) {
    res.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(answer.json));
  } else {
    res.writeHead(answer.status, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(answer.text ?? '');
  }
}

function faultAnswer(fault: QrsFault): QrsAnswer {
  const status = fault.status ?? 500;
  const body = fault.body ?? '';
  const looksJson = /^\s*[[{"]/.test(body);
  if (looksJson) {
    try {
      return { status, json: JSON.parse(body) as unknown };
    } catch {
      // Deliberately malformed JSON is a valid fault: send it verbatim as text.
    }
  }
  return { status, text: body };
}

async function handle(deps: QrsDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const method = req.method ?? 'GET';
  const { path, rawQuery } = splitTarget(req.url ?? '/');
  const query = parseQuery(rawQuery);
  const user = parseQlikUser(req.headers);
  const call: QrsCall = {
    method,
    path,
    query,
    filter: queryValue(query, 'filter'),
    headers: { ...req.headers },
    body: undefined,
    peerCN: peerCommonName(req.socket),
    xrfkeyOk: xrfkeyOk(query, req.headers),
    user,
    status: 0,
    at: Date.now(),
  };
  deps.record(call);
  try {
    call.body = await readBody(req);
  } catch (err) {
    if (err instanceof BodyTooLarge) return send(res, call, { status: 413, text: 'Request body too large' });
    throw err;
  }

  const fault = deps.faults.take({ method, path });
  if (fault) {
    await holdAnswer(fault, deps.signal);
    if (fault.destroySocket) {
      req.socket.destroy();
      return;
    }
    if (fault.status !== undefined) return send(res, call, faultAnswer(fault));
  }
  if (!call.xrfkeyOk) return send(res, call, { status: 403, text: XSRF_MESSAGE });
  if (deps.strictUser && user === null) {
    return send(res, call, { status: 403, text: 'Access denied: missing or malformed X-Qlik-User header' });
  }
  try {
    send(
      res,
      call,
      routeQrs({
        fixtures: deps.fixtures,
        method,
        path,
        query,
        filter: call.filter,
        body: call.body,
        downloads: deps.downloads,
        notifications: deps.notifications,
      }),
    );
  } catch (err) {
    if (!isFilterSyntaxError(err)) throw err;
    send(res, call, { status: 400, text: `Cannot parse the expression: ${call.filter ?? ''}` });
  }
}

/** Attaches the QRS pipeline to a listener; a handler failure becomes a 500, never a crash. */
export function serveQrs(listener: TlsListener, deps: QrsDeps): void {
  listener.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    handle(deps, req, res).catch((err: unknown) => {
      if (deps.signal.aborted || res.headersSent) {
        res.destroy();
        return;
      }
      res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`Simulator error: ${err instanceof Error ? err.message : String(err)}`);
    });
  });
}
