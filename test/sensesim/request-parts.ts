/** Reading the parts of a QRS/Engine request the way Sense does (docs/sense-facts.md §3). */
import type { IncomingHttpHeaders } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { SenseUser } from './types';

export const XSRF_MESSAGE = 'XSRF prevention check failed. Possible XSRF discovered.';
const XRFKEY = /^[0-9A-Za-z]{16}$/;

function decodeOrRaw(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Splits a raw query string; percent-decoding only, so a `+` stays a `+` (never a space). */
export function parseQuery(raw: string): Record<string, string> {
  const query: Record<string, string> = {};
  for (const part of raw.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const key = decodeOrRaw(eq < 0 ? part : part.slice(0, eq));
    if (!(key in query)) query[key] = decodeOrRaw(eq < 0 ? '' : part.slice(eq + 1));
  }
  return query;
}

/** Splits `/path?query` without URL normalisation (the WHATWG parser would rewrite some characters). */
export function splitTarget(target: string): { path: string; rawQuery: string } {
  const q = target.indexOf('?');
  const rawPath = q < 0 ? target : target.slice(0, q);
  return { path: decodeOrRaw(rawPath), rawQuery: q < 0 ? '' : target.slice(q + 1) };
}

export function queryValue(query: Record<string, string>, name: string): string | undefined {
  const lower = name.toLowerCase();
  const key = Object.keys(query).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : query[key];
}

export function firstHeader(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Query `xrfkey` (any case) and header `X-Qlik-Xrfkey`: both present, 16 alphanumerics, equal. */
export function xrfkeyOk(query: Record<string, string>, headers: IncomingHttpHeaders): boolean {
  const fromQuery = queryValue(query, 'xrfkey');
  const fromHeader = firstHeader(headers, 'x-qlik-xrfkey');
  return (
    fromQuery !== undefined && fromHeader !== undefined && XRFKEY.test(fromQuery) && fromQuery === fromHeader
  );
}

/** `UserDirectory=<d>;\s*UserId=<u>` with case-insensitive keys and URL-encoded values; null if absent or malformed. */
export function parseQlikUser(headers: IncomingHttpHeaders): SenseUser | null {
  const raw = firstHeader(headers, 'x-qlik-user');
  if (raw === undefined) return null;
  const match = /^\s*userdirectory=([^;]*);\s*userid=([^;]*?)\s*;?\s*$/i.exec(raw);
  if (!match) return null;
  const directory = decodeOrRaw(match[1] ?? '');
  const id = decodeOrRaw(match[2] ?? '');
  return directory === '' || id === '' ? null : { directory, id };
}

export function peerCommonName(socket: unknown): string | undefined {
  const tls = socket as Partial<TLSSocket>;
  if (typeof tls.getPeerCertificate !== 'function') return undefined;
  // A certificate with several CNs yields an array at runtime, whatever the typings say.
  const cn: unknown = tls.getPeerCertificate().subject?.CN;
  if (typeof cn === 'string') return cn;
  return Array.isArray(cn) && typeof cn[0] === 'string' ? cn[0] : undefined;
}
