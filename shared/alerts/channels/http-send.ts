/**
 * Outbound HTTP for the Slack, Teams and webhook channels, through undici. Redirects are never
 * followed blindly: with an allow-list a redirect is followed (up to 3 hops) only to an allowed host;
 * without one, every redirect is refused. Error messages name the status, never the URL (a secret).
 */
import { request } from 'undici';
import { hostAllowed } from '../allowed-hosts';
import { errorMessage } from '../../log';
import { DeliveryError } from './channel';

export interface HttpSend {
  url: string;
  method: 'GET' | 'POST' | 'PUT';
  headers?: Record<string, string>;
  /** JSON body (POST/PUT). */
  json?: unknown;
  /** null: refuse every redirect. */
  allowedHosts: readonly string[] | null;
  timeoutMs: number;
  signal: AbortSignal;
}

const MAX_REDIRECTS = 3;
/** Answers we read for diagnostics are capped; the sink's body is otherwise ignored. */
const MAX_ANSWER_BYTES = 4096;

export async function sendHttp(opts: HttpSend): Promise<{ status: number; text: string }> {
  let url = new URL(opts.url);
  let method = opts.method;
  for (let hop = 0; ; hop++) {
    if (opts.allowedHosts !== null && !hostAllowed(url.hostname, opts.allowedHosts)) {
      throw new DeliveryError(`host ${url.hostname} is not in alerts.allowedHosts`, false);
    }
    const body = method === 'GET' || opts.json === undefined ? undefined : JSON.stringify(opts.json);
    let res;
    try {
      res = await request(url, {
        method,
        headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...opts.headers },
        body,
        signal: opts.signal,
        headersTimeout: opts.timeoutMs,
        bodyTimeout: opts.timeoutMs,
      });
    } catch (err) {
      throw new DeliveryError(`request failed: ${transportText(err)}`, true);
    }
    const text = await readCapped(res.body);
    if (res.statusCode >= 300 && res.statusCode < 400 && res.headers.location) {
      const target = new URL(String(res.headers.location), url);
      if (opts.allowedHosts === null || !hostAllowed(target.hostname, opts.allowedHosts)) {
        throw new DeliveryError(`redirect (${res.statusCode}) to host ${target.hostname} refused`, false);
      }
      if (hop >= MAX_REDIRECTS) throw new DeliveryError('too many redirects', false);
      if (res.statusCode === 303) method = 'GET';
      url = target;
      continue;
    }
    if (res.statusCode < 200 || res.statusCode > 299) {
      const retryable = res.statusCode >= 500 || res.statusCode === 408 || res.statusCode === 429;
      throw new DeliveryError(`HTTP ${res.statusCode}`, retryable);
    }
    return { status: res.statusCode, text };
  }
}

async function readCapped(body: AsyncIterable<Buffer>): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    if (size < MAX_ANSWER_BYTES) chunks.push(chunk);
    size += chunk.length;
  }
  return Buffer.concat(chunks).toString('utf8').slice(0, MAX_ANSWER_BYTES);
}

/** The error's code or message; undici's messages carry no URL, only host:port for connect errors. */
function transportText(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  const name = err instanceof Error ? err.name : '';
  if (name === 'AbortError') return 'timed out or cancelled';
  return typeof code === 'string' ? code : errorMessage(err);
}
