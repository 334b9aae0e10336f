/**
 * One HTTP exchange through an undici dispatcher, the answer collected as text. `dispatcher.request()`
 * would wrap every answer in a Node stream and read it back through it; QRS answers are small JSON
 * documents, so a handler that gathers the chunks does the same with much less work per call (the
 * task-start profile in bench/README.md). Errors are undici's own, as with `request()`.
 */
import type { Dispatcher } from 'undici';

export interface Exchanged {
  statusCode: number;
  contentType: string;
  text: string;
}

export function exchange(dispatcher: Dispatcher, options: Dispatcher.DispatchOptions): Promise<Exchanged> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let statusCode = 0;
    let contentType = '';
    // The callback form every undici dispatcher accepts (the Agent's pools validate it).
    const handler: Dispatcher.DispatchHandler = {
      onConnect() {
        // nothing to abort: the exchange runs to its end or to undici's own timeouts
      },
      onHeaders(status, rawHeaders) {
        statusCode = status;
        contentType = headerValue(rawHeaders, 'content-type');
        return true;
      },
      onData(chunk) {
        chunks.push(chunk);
        size += chunk.length;
        return true;
      },
      onComplete() {
        const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
        // Decoded as fetch and undici's body.text() do: UTF-8, a leading byte-order mark dropped.
        const text = body.toString('utf8');
        resolve({ statusCode, contentType, text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text });
      },
      onError(err) {
        reject(err);
      },
    };
    try {
      dispatcher.dispatch(options, handler);
    } catch (err) {
      reject(err instanceof Error ? err : new Error(String(err)));
    }
  });
}

/**
 * One header's value from undici's raw name/value list (repeated names comma-joined). `name` is lower-case
 * ASCII; names of another length are skipped before any is decoded (undici hands them over as bytes).
 */
function headerValue(raw: Buffer[] | string[] | null, name: string): string {
  if (!raw) return '';
  const values: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const rawName = raw[i];
    if (rawName?.length !== name.length) continue;
    if (String(rawName).toLowerCase() === name) values.push(String(raw[i + 1]));
  }
  return values.join(', ');
}
