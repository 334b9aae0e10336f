import type { IncomingMessage } from 'node:http';
import type { AuthLevel } from './context';

const KEY_HEADER = 'x-functions-key';

/** Header `x-functions-key` wins over query `code`: a wrong header is not rescued by a right code. */
export function requestKey(req: IncomingMessage, url: URL): string | undefined {
  const header = req.headers[KEY_HEADER];
  const headerValue = Array.isArray(header) ? header[0] : header;
  if (headerValue !== undefined && headerValue !== '') return headerValue;
  return url.searchParams.get('code') ?? undefined;
}

/** The binding's authLevel; anything unknown is treated as admin (fail closed). */
export function authLevelOf(binding: Readonly<Record<string, unknown>>): AuthLevel {
  // Missing = the host's default for httpTrigger (function).
  const level = typeof binding.authLevel === 'string' ? binding.authLevel.toLowerCase() : 'function';
  if (level === 'anonymous' || level === 'function' || level === 'admin') return level;
  return 'admin';
}
