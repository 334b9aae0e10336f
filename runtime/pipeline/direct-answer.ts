/**
 * The handler's answer as the host writes it, read from the library's `HttpResponse` by the direct path
 * (runtime/pipeline/direct-http.ts) with the library's own rules for what an answer may be.
 *
 * A plain-object answer with a text body (what almost every handler returns) skips the body's web
 * stream: the library would build a fetch `Response` around the string and the host read it back
 * through a stream reader, which cost more than the rest of the answer (bench/README.md). Here the
 * `HttpResponse` is built without the body, so status, headers and cookies still pass the library's and
 * fetch's checks, and the body bytes and the `Content-Type` fetch adds for a string are produced the
 * way fetch produces them. Any other answer (an `HttpResponse`, `jsonBody`, bytes, streams, a status
 * that may not carry a body) takes the library's whole path. test/host/direct-invocation.test.ts
 * compares the two.
 */
import type { RpcHttpCookie } from '../core-types';
import { cookieToHeader, type HttpResult } from './rpc-http';

export interface LibraryHttpResponse {
  readonly status: number;
  readonly headers: { entries(): IterableIterator<[string, string]> };
  readonly cookies: LibraryCookie[];
  arrayBuffer(): Promise<ArrayBuffer>;
}

interface LibraryCookie {
  name?: unknown;
  value?: unknown;
  domain?: unknown;
  path?: unknown;
  expires?: unknown;
  secure?: unknown;
  httpOnly?: unknown;
  sameSite?: unknown;
  maxAge?: unknown;
}

/** The library's cookie conversion (toRpcHttpCookie), with its type checks and messages. */
function rpcCookie(cookie: LibraryCookie): RpcHttpCookie {
  const fail = (expected: string, value: unknown, name: string): never => {
    throw new Error(
      `A '${expected}' type was expected instead of a '${typeof value}' type. Cannot parse value of '${name}'.`,
    );
  };
  const text = (value: unknown, name: string): string | undefined => {
    if (typeof value === 'string') return value;
    return value === null || value === undefined ? undefined : fail('string', value, name);
  };
  const flag = (value: unknown, name: string): { value: boolean } | undefined => {
    if (typeof value === 'boolean') return { value };
    return value === null || value === undefined ? undefined : fail('boolean', value, name);
  };
  let maxAge: { value: number } | undefined;
  if (typeof cookie.maxAge === 'number') maxAge = { value: cookie.maxAge };
  else if (typeof cookie.maxAge === 'string' && !Number.isNaN(Number(cookie.maxAge))) {
    maxAge = { value: Number.parseFloat(cookie.maxAge) };
  } else if (cookie.maxAge !== null && cookie.maxAge !== undefined)
    fail('number', cookie.maxAge, 'cookie.maxAge');
  let expires: { value: { seconds: number } } | undefined;
  if (cookie.expires !== null && cookie.expires !== undefined) {
    const ms = typeof cookie.expires === 'number' ? cookie.expires : (cookie.expires as Date).getTime?.();
    if (typeof ms !== 'number') {
      throw new Error(
        `A 'number' or 'Date' input was expected instead of a '${typeof cookie.expires}'. Cannot parse value of 'cookie.expires'.`,
      );
    }
    if (ms && ms >= 0) expires = { value: { seconds: Math.round(ms / 1000) } };
  }
  const sameSite = typeof cookie.sameSite === 'string' ? cookie.sameSite.toLocaleLowerCase() : '';
  const domain = text(cookie.domain, 'cookie.domain');
  const path = text(cookie.path, 'cookie.path');
  return {
    name: text(cookie.name, 'cookie.name') ?? '',
    value: text(cookie.value, 'cookie.value') ?? '',
    domain: domain === undefined ? null : { value: domain },
    path: path === undefined ? null : { value: path },
    expires: expires ?? null,
    secure: flag(cookie.secure, 'cookie.secure') ?? null,
    httpOnly: flag(cookie.httpOnly, 'cookie.httpOnly') ?? null,
    sameSite:
      sameSite === 'lax'
        ? 'lax'
        : sameSite === 'strict'
          ? 'strict'
          : sameSite === 'none'
            ? 'explicitNone'
            : 'none',
    maxAge: maxAge ?? null,
  };
}

const EMPTY = Buffer.alloc(0);
const NO_COOKIES: readonly string[] = Object.freeze([]);
const NO_CONTENT: HttpResult = Object.freeze({ status: 204, headers: [], cookies: [], body: EMPTY });

/** The library's `HttpResponse` class (the app's own copy). */
export type HttpResponseClass = new (init: object) => LibraryHttpResponse;

/** Statuses fetch forbids a body on; the library drops the body for them. */
const NULL_BODY_STATUSES = new Set([204, 205, 304]);
/** The type fetch's `Response` gives a string body when the headers name none. */
const TEXT_TYPE = 'text/plain;charset=UTF-8';

interface TextAnswer {
  response: LibraryHttpResponse;
  body: Buffer;
  /** A string body: `Content-Type` defaults to text/plain as fetch sets it. */
  isText: boolean;
}

/**
 * A plain object whose body is a string or absent, without `jsonBody`, with a status that may carry a
 * body: the response without its body, plus the body's bytes. Undefined for anything else.
 */
function textAnswer(HttpResponse: HttpResponseClass, result: object): TextAnswer | undefined {
  const proto: unknown = Object.getPrototypeOf(result);
  if (proto !== Object.prototype && proto !== null) return undefined;
  const init = result as Record<string, unknown>;
  const { body, status } = init;
  if (init.jsonBody !== undefined && init.jsonBody !== null) return undefined;
  if (init.nativeResponse !== undefined) return undefined;
  if (typeof body !== 'string' && body !== undefined && body !== null) return undefined;
  if (status !== undefined && (typeof status !== 'number' || NULL_BODY_STATUSES.has(status)))
    return undefined;
  const response = new HttpResponse({
    status,
    headers: init.headers,
    cookies: init.cookies,
    enableContentNegotiation: init.enableContentNegotiation,
  });
  return typeof body === 'string'
    ? { response, body: Buffer.from(body, 'utf8'), isText: true }
    : { response, body: EMPTY, isText: false };
}

/**
 * One value per name, the last one winning, as the RPC record the worker builds keeps them (only
 * set-cookie can come more than once: Headers joins every other name). Names arrive sorted.
 */
function headerList(response: LibraryHttpResponse, isText: boolean): [string, string][] {
  const headers: [string, string][] = [];
  let setCookieAt = -1;
  let hasType = false;
  for (const [name, value] of response.headers.entries()) {
    if (name === 'content-type') hasType = true;
    if (name !== 'set-cookie') headers.push([name, value]);
    else if (setCookieAt < 0) setCookieAt = headers.push([name, value]) - 1;
    else headers[setCookieAt] = [name, value];
  }
  if (isText && !hasType) {
    // Where fetch's sorted header list would hold it.
    const at = headers.findIndex(([name]) => name > 'content-type');
    headers.splice(at < 0 ? headers.length : at, 0, ['content-type', TEXT_TYPE]);
  }
  return headers;
}

/** The handler's answer as the host writes it. */
export async function readAnswer(HttpResponse: HttpResponseClass, result: unknown): Promise<HttpResult> {
  if (result === null || result === undefined) return NO_CONTENT;
  if (typeof result !== 'object') {
    throw new Error(
      'The HTTP response must be an object with optional properties "body", "status", "headers", and "cookies".',
    );
  }
  const text = result instanceof HttpResponse ? undefined : textAnswer(HttpResponse, result);
  const response = text?.response ?? (result instanceof HttpResponse ? result : new HttpResponse(result));
  const headers = headerList(response, text?.isText ?? false);
  const cookies =
    response.cookies.length === 0 ? NO_COOKIES : response.cookies.map((c) => cookieToHeader(rpcCookie(c)));
  const body = text ? text.body : Buffer.from(await response.arrayBuffer());
  return { status: response.status, headers, cookies, body };
}
