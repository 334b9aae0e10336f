/**
 * The request object behind the library's `HttpRequest` for a body the host has already read whole.
 *
 * Given only data, the library's `HttpRequest` builds a fetch `Request` (URL parsing, an abort signal,
 * webidl conversions) and hands it the body, which fetch wraps in a web stream that the handler's
 * `text()`/`json()`/`arrayBuffer()` then reads back through a stream reader. For the small JSON bodies
 * of this API that cost several times the rest of the request object (the task-start profile in
 * bench/README.md). The library also accepts a ready request (`nativeRequest`) and uses only these
 * members of it: `url`, `method`, `headers`, `body`, `bodyUsed`, `arrayBuffer`, `blob`, `formData`,
 * `json`, `text`, `clone`. This class provides them: the three reads answer from the bytes and mark the
 * body used; the `body` stream, `blob()`, `formData()`, `bytes()` and `clone()` go to a real `Request`
 * built from the same data on first use, in the state the fast reads left it. It is used only when the
 * library's `HttpRequest` has no other members (a later version might use more) and for the methods
 * fetch accepts unchanged; test/host/direct-invocation.test.ts and test/host/buffered-request.test.ts
 * compare it with the library's own `Request` member by member.
 *
 * One difference remains: a handler that changes `request.headers` after it first used the body stream,
 * `blob()`, `formData()` or `clone()` does not see that change in a later `clone()`.
 */

/** The members of the library's `HttpRequest` this class was written against (4.x). */
const KNOWN_HTTP_REQUEST_MEMBERS = new Set([
  'constructor',
  'url',
  'method',
  'headers',
  'user',
  'body',
  'bodyUsed',
  'arrayBuffer',
  'blob',
  'formData',
  'json',
  'text',
  'clone',
]);

/** True when the library's `HttpRequest` uses nothing of its request this class lacks. */
export function fitsLibrary(httpRequestClass: { prototype: object }): boolean {
  return Object.getOwnPropertyNames(httpRequestClass.prototype).every((name) =>
    KNOWN_HTTP_REQUEST_MEMBERS.has(name),
  );
}

/**
 * Methods fetch keeps as given (upper case, not forbidden): for any other the library's own `Request`
 * must run, whether to normalise the name or to refuse it.
 */
const PLAIN_METHODS = new Set(['DELETE', 'OPTIONS', 'PATCH', 'POST', 'PUT']);

// undici decodes bodies with a default TextDecoder (UTF-8, replacement characters, a BOM dropped).
const decoder = new TextDecoder();

export class BufferedRequest {
  readonly headers: Headers;
  readonly #bytes: Buffer;
  #full: Request | undefined;
  #used = false;

  /** `url` as serialised by WHATWG URL (the host's `URL.href`), so fetch would keep it unchanged. */
  constructor(
    readonly url: string,
    readonly method: string,
    headers: Record<string, string>,
    bytes: Buffer,
  ) {
    this.headers = new Headers(headers);
    this.#bytes = bytes;
  }

  /** The real request with this body, used as far as the fast reads used it. */
  #real(): Request {
    if (!this.#full) {
      this.#full = new Request(this.url, { method: this.method, headers: this.headers, body: this.#bytes });
      // Reading starts synchronously: the stream is disturbed and `bodyUsed` true, as after a real read.
      if (this.#used) this.#full.arrayBuffer().catch(() => undefined);
    }
    return this.#full;
  }

  /** True when this read may answer from the bytes; marks the body used. */
  #takeFast(): boolean {
    if (this.#full || this.#used) return false;
    this.#used = true;
    return true;
  }

  get body(): ReadableStream<Uint8Array> | null {
    return this.#real().body;
  }

  get bodyUsed(): boolean {
    return this.#full ? this.#full.bodyUsed : this.#used;
  }

  arrayBuffer(): Promise<ArrayBuffer> {
    if (!this.#takeFast()) return this.#real().arrayBuffer();
    const bytes = this.#bytes;
    return Promise.resolve(
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
    );
  }

  text(): Promise<string> {
    if (!this.#takeFast()) return this.#real().text();
    return Promise.resolve(decoder.decode(this.#bytes));
  }

  // async: a body that is not JSON rejects, as undici's json() does, rather than throwing here.
  async json(): Promise<unknown> {
    if (!this.#takeFast()) return this.#real().json();
    return JSON.parse(decoder.decode(this.#bytes)) as unknown;
  }

  blob(): Promise<Blob> {
    return this.#real().blob();
  }

  formData(): Promise<FormData> {
    return this.#real().formData();
  }

  bytes(): Promise<Uint8Array> {
    return (this.#real() as Request & { bytes(): Promise<Uint8Array> }).bytes();
  }

  clone(): Request {
    return this.#real().clone();
  }
}

/** The request for `bytes`, or undefined when fetch must see the method itself (see PLAIN_METHODS). */
export function bufferedRequest(
  url: string,
  method: string,
  headers: Record<string, string>,
  bytes: Buffer,
): BufferedRequest | undefined {
  return PLAIN_METHODS.has(method) ? new BufferedRequest(url, method, headers, bytes) : undefined;
}
