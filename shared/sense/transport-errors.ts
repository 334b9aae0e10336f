/**
 * Turns network and TLS failures of undici into `ApiError`s whose message tells an administrator which
 * setting to fix (docs/sense-facts.md §2, failure signatures). Messages name settings and file paths, never
 * certificate or key contents.
 */
import { ApiError } from '../http/errors';
import type { SenseConfig } from '../config/types';
import { tlsServerName } from './agent';
import { SenseError } from './errors';
import { hostPort } from '../net/host';

export interface SenseTarget {
  /** 'QRS' or 'Engine', used in messages. */
  service: string;
  host: string;
  port: number;
  cfg: SenseConfig;
}

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'EADDRNOTAVAIL',
]);
const TIMEOUTS = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
]);
const UNTRUSTED_SERVER = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);
const EXPIRED_SERVER = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);
/** What undici reports when the server drops the connection, typically because it refused our certificate. */
const DROPPED = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE', 'UND_ERR_CLOSED']);
/** Connection failures worth one more try on an idempotent request (a stale keep-alive socket, a restart). */
const RETRYABLE = new Set([...DROPPED, 'ECONNREFUSED', 'EAI_AGAIN']);

interface ErrorLike {
  code?: unknown;
  reason?: unknown;
  cause?: unknown;
  errors?: unknown;
}

/** The most specific error code in an error, its cause chain or an AggregateError (happy-eyeballs connect). */
export function errorCode(err: unknown, depth = 0): string | undefined {
  if (depth > 4 || typeof err !== 'object' || err === null) return undefined;
  const e = err as ErrorLike;
  const nested = errorCode(e.cause, depth + 1);
  if (nested !== undefined) return nested;
  if (typeof e.code === 'string') return e.code;
  if (Array.isArray(e.errors)) return errorCode(e.errors[0], depth + 1);
  return undefined;
}

function findReason(err: unknown, depth = 0): string | undefined {
  if (depth > 4 || typeof err !== 'object' || err === null) return undefined;
  const e = err as ErrorLike;
  if (typeof e.reason === 'string') return e.reason;
  return findReason(e.cause, depth + 1);
}

export function isRetryableConnectionError(err: unknown): boolean {
  const code = errorCode(err);
  return code !== undefined && RETRYABLE.has(code);
}

export function mapTransportError(err: unknown, target: SenseTarget): ApiError {
  if (err instanceof ApiError) return err;
  const { service, host, port, cfg } = target;
  const where = `Qlik Sense ${service} at ${hostPort(host, port)}`;
  const code = errorCode(err) ?? (err instanceof Error ? err.name : 'unknown error');
  const fail = (message: string): SenseError => new SenseError('SENSE_ERROR', message, { cause: err });

  if (UNREACHABLE.has(code)) {
    return new SenseError('SENSE_UNAVAILABLE', `${where} is not reachable: ${code}`, { cause: err });
  }
  if (TIMEOUTS.has(code)) {
    return new SenseError(
      'UPSTREAM_TIMEOUT',
      `${where} did not answer within ${cfg.timeoutMs} ms (sense.timeoutMs): ${code}`,
      { cause: err },
    );
  }
  if (UNTRUSTED_SERVER.has(code)) {
    const caHint =
      cfg.ca === null
        ? 'sense.ca is not set: set it to the Sense root certificate (root.pem exported from the QMC)'
        : `the file in sense.ca (${cfg.ca}) did not issue it: set sense.ca to the Sense root certificate (root.pem)`;
    return fail(`The server certificate of ${where} is not trusted (${code}); ${caHint}`);
  }
  if (EXPIRED_SERVER.has(code)) {
    return fail(`The server certificate of ${where} is expired or not yet valid (${code})`);
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    const checked = tlsServerName(cfg) ?? host;
    const reason = findReason(err);
    return fail(
      `The server certificate of ${where} does not match the name '${checked}' (${code}${reason ? `: ${reason}` : ''}); ` +
        'set sense.serverName to a name the certificate lists',
    );
  }
  if (DROPPED.has(code) || (code.startsWith('ERR_SSL_') && code.includes('ALERT'))) {
    return fail(
      `${where} closed the connection (${code}); if this repeats, Sense rejected the client certificate: ` +
        `check that sense.cert (${cfg.cert ?? 'not set'}) and sense.key are the client certificate exported from the QMC`,
    );
  }
  const detail = err instanceof Error && err.message ? `${code}: ${err.message}` : code;
  return fail(`Request to ${where} failed (${detail})`);
}
