import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { RegisteredFunction } from '../core-shim';
import { buildInvocationRequest } from '../invoke';
import type {
  RpcHttpCookie,
  RpcInvocationRequest,
  RpcHttpData,
  RpcInvocationResponse,
  RpcNullableString,
  RpcTypedData,
} from '../core-types';

/** What the pipeline knows about a request once routing is done. */
export interface HttpRequestFacts {
  method: string;
  /** Absolute URL as the function sees it. */
  url: URL;
  rawHeaders: string[];
  body: Buffer;
  params: Record<string, string | undefined>;
  /** DER of the verified client certificate (mTLS), forwarded like App Service's X-ARR-ClientCert. */
  clientCertDer?: Buffer | undefined;
  /** The peer's address, appended to X-Forwarded-For as Azure's front end does. */
  remoteAddress?: string | undefined;
}

export interface HttpResult {
  status: number;
  headers: [string, string][];
  cookies: string[];
  body: Buffer;
}

const CLIENT_CERT_HEADER = 'x-arr-clientcert';
const FORWARDED_FOR = 'x-forwarded-for';
const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** Repeated header names are comma-joined and empty values dropped, as the host hands them to the worker. */
export function joinHeaders(rawHeaders: string[]): Map<string, string> {
  const joined = new Map<string, string[]>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] ?? '').toLowerCase();
    const value = rawHeaders[i + 1] ?? '';
    if (!name || value === '') continue;
    const list = joined.get(name) ?? [];
    list.push(value);
    joined.set(name, list);
  }
  return new Map([...joined].map(([name, values]) => [name, values.join(',')]));
}

function nullable(record: Map<string, string> | Record<string, string>): Record<string, RpcNullableString> {
  const out: Record<string, RpcNullableString> = {};
  const entries = record instanceof Map ? [...record] : Object.entries(record);
  for (const [key, value] of entries) out[key] = { value };
  return out;
}

function joinQuery(url: URL): Map<string, string> {
  const joined = new Map<string, string>();
  for (const [key, value] of url.searchParams) {
    const previous = joined.get(key);
    joined.set(key, previous === undefined ? value : `${previous},${value}`);
  }
  return joined;
}

export function traceParentFor(headers: Map<string, string>): string {
  const incoming = headers.get('traceparent')?.trim().toLowerCase();
  if (incoming && TRACEPARENT.test(incoming)) return incoming;
  return `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;
}

export interface RpcHttpRequest {
  http: RpcHttpData;
  headers: Map<string, string>;
  triggerMetadata: Record<string, RpcTypedData>;
}

/** The invocation for an HTTP trigger, its trace context taken from the request's headers. */
export function httpInvocationRequest(fn: RegisteredFunction, rpc: RpcHttpRequest): RpcInvocationRequest {
  return buildInvocationRequest(fn, {
    triggerData: { http: rpc.http },
    triggerMetadata: rpc.triggerMetadata,
    traceParent: traceParentFor(rpc.headers),
    traceState: rpc.headers.get('tracestate'),
  });
}

/** The RPC shape the worker receives for an HTTP trigger (non-stream mode). */
export function toRpcHttpRequest(facts: HttpRequestFacts): RpcHttpRequest {
  const headers = joinHeaders(facts.rawHeaders);
  // Only the host may vouch for a client certificate: drop whatever the client sent.
  headers.delete(CLIENT_CERT_HEADER);
  if (facts.clientCertDer) headers.set(CLIENT_CERT_HEADER, facts.clientCertDer.toString('base64'));
  if (facts.remoteAddress) {
    const forwarded = headers.get(FORWARDED_FOR);
    headers.set(FORWARDED_FOR, forwarded ? `${forwarded}, ${facts.remoteAddress}` : facts.remoteAddress);
  }
  const query = joinQuery(facts.url);
  const params: Record<string, string> = {};
  for (const [key, value] of Object.entries(facts.params)) params[key] = value ?? '';
  const hasBody = facts.method !== 'GET' && facts.method !== 'HEAD';
  const http: RpcHttpData = {
    method: facts.method,
    url: facts.url.href,
    nullableHeaders: nullable(headers),
    nullableQuery: nullable(query),
    nullableParams: nullable(params),
    headers: Object.fromEntries(headers),
    query: Object.fromEntries(query),
    params,
    body: hasBody ? { bytes: facts.body } : null,
    identities: [],
  };
  const triggerMetadata: Record<string, RpcTypedData> = {
    Headers: { json: JSON.stringify(Object.fromEntries(headers)) },
    Query: { json: JSON.stringify(Object.fromEntries(query)) },
  };
  for (const [key, value] of Object.entries(params)) triggerMetadata[key] ??= { string: value };
  return { http, headers, triggerMetadata };
}

function cookieToHeader(cookie: RpcHttpCookie): string {
  const parts = [`${cookie.name ?? ''}=${cookie.value ?? ''}`];
  if (cookie.domain?.value) parts.push(`Domain=${cookie.domain.value}`);
  if (cookie.path?.value) parts.push(`Path=${cookie.path.value}`);
  const seconds = cookie.expires?.value?.seconds;
  if (typeof seconds === 'number') parts.push(`Expires=${new Date(seconds * 1000).toUTCString()}`);
  const maxAge = cookie.maxAge?.value;
  if (typeof maxAge === 'number') parts.push(`Max-Age=${Math.trunc(maxAge)}`);
  if (cookie.secure?.value) parts.push('Secure');
  if (cookie.httpOnly?.value) parts.push('HttpOnly');
  // 'none' means "not set" in the RPC enum; 'explicitNone' is SameSite=None.
  if (cookie.sameSite === 'lax') parts.push('SameSite=Lax');
  else if (cookie.sameSite === 'strict') parts.push('SameSite=Strict');
  else if (cookie.sameSite === 'explicitNone') parts.push('SameSite=None');
  return parts.join('; ');
}

function typedDataToBuffer(data: RpcTypedData | null | undefined): Buffer {
  if (!data) return Buffer.alloc(0);
  if (data.bytes) return Buffer.from(data.bytes.buffer, data.bytes.byteOffset, data.bytes.byteLength);
  if (data.stream) return Buffer.from(data.stream);
  if (typeof data.string === 'string') return Buffer.from(data.string, 'utf8');
  if (typeof data.json === 'string') return Buffer.from(data.json, 'utf8');
  if (typeof data.int === 'number') return Buffer.from(String(data.int));
  if (typeof data.double === 'number') return Buffer.from(String(data.double));
  return Buffer.alloc(0);
}

/** Converts the worker's answer to status, headers, cookies and body; no HTTP answer → 204. */
export function fromRpcHttpResponse(response: RpcInvocationResponse): HttpResult {
  const http =
    response.returnValue?.http ??
    response.outputData?.find((output) => output.data?.http)?.data?.http ??
    undefined;
  if (!http) return { status: 204, headers: [], cookies: [], body: Buffer.alloc(0) };
  const status = Number.parseInt(http.statusCode ?? '200', 10);
  return {
    status: Number.isInteger(status) && status >= 100 && status <= 999 ? status : 200,
    headers: Object.entries(http.headers ?? {}),
    cookies: (http.cookies ?? []).map(cookieToHeader),
    body: typedDataToBuffer(http.body),
  };
}

/** Absolute request URL; a missing or malformed Host header falls back to the listening address. */
export function absoluteUrl(req: IncomingMessage, secure: boolean, fallbackHost: string): URL {
  const scheme = secure ? 'https' : 'http';
  const target = req.url ?? '/';
  // Keep the request target a path: "//x/y" must not become host "x", absolute-form keeps only its path.
  let pathAndQuery = '/';
  if (target.startsWith('/')) pathAndQuery = target;
  else {
    try {
      const parsed = new URL(target);
      pathAndQuery = parsed.pathname + parsed.search;
    } catch {
      pathAndQuery = '/';
    }
  }
  const host = req.headers.host;
  if (host && /^[A-Za-z0-9.\-_:[\]]+$/.test(host)) {
    try {
      return new URL(`${scheme}://${host}${pathAndQuery}`);
    } catch {
      // fall through to the listening address
    }
  }
  return new URL(`${scheme}://${fallbackHost}${pathAndQuery}`);
}
