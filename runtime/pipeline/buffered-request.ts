/**
 * A fetch `Request` for a body the host has already read whole.
 *
 * The library's `HttpRequest` hands its body to a `Request`, which wraps it in a web stream; the
 * handler's `text()`/`json()`/`arrayBuffer()` then reads it back through a stream reader. For the small
 * JSON bodies of this API that round trip cost about as much as the rest of the request object (the
 * task-start profile in bench/README.md). This subclass keeps the bytes: those three reads answer from
 * them and mark the body used; everything else (the `body` stream, `blob()`, `formData()`, `bytes()`,
 * `clone()`) goes to a real `Request` built from the same bytes on first use, in the state the fast reads
 * left it. What a handler observes is a `Request` with that body (test/host/buffered-request.test.ts
 * compares both member by member).
 */

type RequestClass = typeof Request;

/** What the subclass answers itself or hands to the full request: every member that touches the body. */
const BODY_MEMBERS = new Set([
  'body',
  'bodyUsed',
  'arrayBuffer',
  'text',
  'json',
  'blob',
  'formData',
  'bytes',
  'clone',
]);

/** Members that never touch the body (Node 20 and 22). */
const OTHER_MEMBERS = new Set([
  'constructor',
  'method',
  'url',
  'headers',
  'destination',
  'referrer',
  'referrerPolicy',
  'mode',
  'credentials',
  'cache',
  'redirect',
  'integrity',
  'keepalive',
  'isReloadNavigation',
  'isHistoryNavigation',
  'signal',
  'duplex',
  'attribute',
]);

/** A later Node may give `Request` a body member this class does not cover: then it is not used. */
function coversEveryBodyMember(base: RequestClass): boolean {
  return Object.getOwnPropertyNames(base.prototype).every(
    (name) => BODY_MEMBERS.has(name) || OTHER_MEMBERS.has(name),
  );
}

// undici decodes bodies with a default TextDecoder (UTF-8, replacement characters, a BOM dropped).
const decoder = new TextDecoder();

/** `Request` as a class to extend (its Node typings declare the body methods as properties). */
const RequestBase = Request as unknown as new (
  url: string,
  init: { method: string; headers: Record<string, string> },
) => { readonly url: string; readonly method: string; readonly headers: Headers };

class BufferedBodyRequest extends RequestBase {
  readonly #bytes: Buffer;
  #full: Request | undefined;
  #used = false;

  constructor(url: string, init: { method: string; headers: Record<string, string> }, bytes: Buffer) {
    super(url, init);
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

const usable = coversEveryBodyMember(Request);

/**
 * A `Request` carrying `bytes` as its body, or undefined when this Node's `Request` has body members the
 * class does not know (the caller then lets the library build its own).
 */
export function bufferedRequest(
  url: string,
  method: string,
  headers: Record<string, string>,
  bytes: Buffer,
): Request | undefined {
  return usable
    ? (new BufferedBodyRequest(url, { method, headers }, bytes) as unknown as Request)
    : undefined;
}
