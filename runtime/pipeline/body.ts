import type { IncomingMessage } from 'node:http';

export type BodyResult =
  | { ok: true; body: Buffer }
  | { ok: false; reason: 'too-large' }
  | { ok: false; reason: 'aborted' }
  | { ok: false; reason: 'idle' };

const NO_BODY = Buffer.alloc(0);

/** True when the request's Content-Length alone is over the limit (refused before reading anything). */
export function declaresBodyOver(req: IncomingMessage, limit: number): boolean {
  const declared = req.headers['content-length'];
  return declared !== undefined && /^\d+$/.test(declared) && Number(declared) > limit;
}

/** True while body bytes the client announced may still arrive (a refusal must then close the connection). */
export function bodyPending(req: IncomingMessage): boolean {
  if (req.complete) return false;
  const declared = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (declared !== undefined && declared !== '0');
}

/**
 * True when the body is known to be empty without waiting: already parsed with nothing buffered, or no
 * Content-Length and no Transfer-Encoding (in HTTP/1.1 that means no body: most GETs).
 */
export function knownEmptyBody(req: IncomingMessage): boolean {
  return req.complete ? req.readableLength === 0 : !bodyPending(req);
}

const EMPTY_READ: Promise<BodyResult> = Promise.resolve({ ok: true, body: NO_BODY });

const ABORTED: BodyResult = Object.freeze({ ok: false, reason: 'aborted' });

/** A body that arrived whole: taken from the stream's buffer (read() hands over everything buffered). */
function takeBuffered(req: IncomingMessage, limit: number): BodyResult {
  if (req.readableLength > limit) return { ok: false, reason: 'too-large' };
  const buffered = req.read() as Buffer | null;
  return { ok: true, body: buffered ?? NO_BODY };
}

/**
 * Reads the request body up to `limit` bytes. A declared Content-Length over the limit is refused before
 * reading; a chunked body is counted as it streams and refused the moment it passes the limit. A client
 * that sends nothing for `idleMs` (null: no limit) is given up on ('idle').
 */
export function readBodyWithLimit(
  req: IncomingMessage,
  limit: number,
  idleMs: number | null = null,
): Promise<BodyResult> {
  if (declaresBodyOver(req, limit)) return Promise.resolve({ ok: false, reason: 'too-large' });
  // Nothing to wait for (e.g. a GET): no listeners, no timer; the empty stream finishes on its own.
  if (knownEmptyBody(req)) {
    req.resume();
    return EMPTY_READ;
  }
  if (req.complete) return Promise.resolve(takeBuffered(req, limit));
  // Called while Node is still parsing the packet that carried the headers. Node runs microtasks after
  // each parser callback, so the body in that same packet is parsed (and `complete` set) only once the
  // parser has returned to the event loop: look again in this loop turn's check phase. A body complete
  // by then is taken whole, without listeners and an idle timer; otherwise it is awaited as it streams.
  return new Promise((resolve) => {
    setImmediate(() => {
      if (req.complete) resolve(takeBuffered(req, limit));
      else if (req.destroyed) resolve(ABORTED);
      else resolve(streamBody(req, limit, idleMs));
    });
  });
}

function streamBody(req: IncomingMessage, limit: number, idleMs: number | null): Promise<BodyResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (result: BodyResult): void => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onAbort);
      req.off('close', onClose);
      resolve(result);
    };
    const onIdle = (): void => {
      req.pause();
      finish({ ok: false, reason: 'idle' });
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        req.pause();
        finish({ ok: false, reason: 'too-large' });
        return;
      }
      chunks.push(chunk);
      timer?.refresh();
    };
    const onEnd = (): void => finish({ ok: true, body: size === 0 ? NO_BODY : Buffer.concat(chunks, size) });
    const onAbort = (): void => finish({ ok: false, reason: 'aborted' });
    const onClose = (): void => {
      if (!req.complete) onAbort();
    };
    if (idleMs !== null) timer = setTimeout(onIdle, idleMs);
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onAbort);
    req.on('close', onClose);
  });
}
