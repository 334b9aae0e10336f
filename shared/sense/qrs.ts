/**
 * The QRS REST client (docs/sense-facts.md §3, §4): xrfkey and X-Qlik-User on every call, fully encoded
 * query strings, a few retries for idempotent reads only, typed results and errors.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Dispatcher } from 'undici';
import type { SenseConfig } from '../config/types';
import type { DependencyCall } from '../telemetry/index';
import { hostPort } from '../net/host';
import type { Logger } from '../log';
import { SenseError } from './errors';
import { customPropertyFilter, idFilter, isGuid, tagFilter } from './filter';
import { QLIK_USER_HEADER, qlikUserHeader } from './identity';
import { exchange } from './exchange';
import { encodeQuery } from './query';
import { isRetryableConnectionError, mapTransportError, type SenseTarget } from './transport-errors';
import { newXrfkey } from './xrfkey';

export type QrsMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface TaskRef {
  id: string;
  name: string;
}

export interface QrsResponse<T> {
  status: number;
  body: T;
}

/** What QrsClient needs from its owner; keeps certificate loading and the Agent in one place (client.ts). */
export interface QrsTransport {
  cfg: SenseConfig;
  /** Throws NOT_CONFIGURED / credential errors; resolves the shared Agent. */
  dispatcher(): Promise<Dispatcher>;
  log: Logger;
  /** Reports each HTTP exchange with QRS (telemetry). */
  track?(call: DependencyCall): void;
}

const GET_RETRIES = 2;
const RETRY_STATUSES = new Set([502, 503, 504]);
const BASE_BACKOFF_MS = 100;
/** Ids per `id eq … or …` lookup: ~50 encoded characters each keeps the URL far below common 8 KiB limits. */
const IDS_PER_LOOKUP = 40;
const EMPTY_GUID = '00000000-0000-0000-0000-000000000000';
const UPSTREAM_TEXT_LIMIT = 200;
const QLIK_USER_LOWER = QLIK_USER_HEADER.toLowerCase();

/** Short, single-line version of an upstream body for error messages. */
function upstreamText(body: unknown): string {
  const text = typeof body === 'string' ? body : body === null ? '' : JSON.stringify(body);
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > UPSTREAM_TEXT_LIMIT ? `${flat.slice(0, UPSTREAM_TEXT_LIMIT)}…` : flat;
}

function toTaskRefs(body: unknown, what: string): TaskRef[] {
  if (!Array.isArray(body)) {
    throw new SenseError('SENSE_ERROR', `QRS answered ${what} with something other than a JSON array`);
  }
  return body.map((row: unknown) => {
    const r = row as { id?: unknown; name?: unknown } | null;
    if (typeof r?.id !== 'string' || typeof r.name !== 'string') {
      throw new SenseError('SENSE_ERROR', `QRS answered ${what} with a task row lacking id or name`);
    }
    return { id: r.id, name: r.name };
  });
}

/** Reads a GUID answer, either `{"value":"<guid>"}` or a bare JSON string (docs/sense-facts.md §5). */
function guidValue(body: unknown): string | undefined {
  if (typeof body === 'string') return body;
  const value = (body as { value?: unknown } | null)?.value;
  return typeof value === 'string' ? value : undefined;
}

export class QrsClient {
  private readonly transport: QrsTransport;
  /** Worked out once: the configuration does not change while a client lives. */
  private readonly origin: string;
  private readonly userHeader: string;

  constructor(transport: QrsTransport) {
    this.transport = transport;
    const { cfg } = transport;
    this.origin = `https://${hostPort(cfg.host ?? '', cfg.qrsPort)}`;
    this.userHeader = qlikUserHeader(cfg);
  }

  private get target(): SenseTarget {
    const { cfg } = this.transport;
    return { service: 'QRS', host: cfg.host ?? '(sense.host not set)', port: cfg.qrsPort, cfg };
  }

  /** Never throws on an HTTP status; throws ApiError on configuration, network, TLS and timeout problems. */
  async request<T = unknown>(
    method: QrsMethod,
    path: string,
    opts: { query?: Record<string, string>; body?: unknown } = {},
  ): Promise<QrsResponse<T>> {
    if (!path.startsWith('/') || path.includes('?') || path.includes('#')) {
      throw new TypeError(`QRS path must start with '/' and carry no query: ${path}`);
    }
    const dispatcher = await this.transport.dispatcher();
    const attempts = method === 'GET' ? 1 + GET_RETRIES : 1;
    for (let attempt = 1; ; attempt++) {
      const isLast = attempt >= attempts;
      const started = performance.now();
      try {
        const response = await this.send<T>(dispatcher, method, path, opts);
        this.report(method, path, started, String(response.status), response.status < 400);
        if (isLast || !RETRY_STATUSES.has(response.status)) return response;
        this.transport.log.warn(`QRS ${method} ${path} answered ${response.status}, retrying`);
      } catch (err) {
        this.report(method, path, started, failureCode(err), false);
        if (isLast || !isRetryableConnectionError(err)) throw mapTransportError(err, this.target);
        this.transport.log.warn(
          `QRS ${method} ${path} failed (${mapTransportError(err, this.target).message}), retrying`,
        );
      }
      await delay(this.backoffMs(attempt));
    }
  }

  /** One dependency per exchange: method, path without the query (it holds filters and the xrfkey). */
  private report(
    method: QrsMethod,
    path: string,
    started: number,
    resultCode: string,
    success: boolean,
  ): void {
    this.transport.track?.({
      service: 'QRS',
      method,
      url: `${this.origin}${path}`,
      durationMs: performance.now() - started,
      success,
      resultCode,
    });
  }

  /** Short backoff, capped at a tenth of the timeout so retries never dominate a request's time budget. */
  private backoffMs(attempt: number): number {
    return Math.min(BASE_BACKOFF_MS * 2 ** (attempt - 1), this.transport.cfg.timeoutMs / 10);
  }

  private async send<T>(
    dispatcher: Dispatcher,
    method: QrsMethod,
    path: string,
    opts: { query?: Record<string, string>; body?: unknown },
  ): Promise<QrsResponse<T>> {
    const xrfkey = newXrfkey();
    const query = encodeQuery({ ...opts.query, xrfkey });
    const headers: Record<string, string> = {
      accept: 'application/json',
      'x-qlik-xrfkey': xrfkey,
      [QLIK_USER_LOWER]: this.userHeader,
    };
    const hasBody = opts.body !== undefined;
    if (hasBody) headers['content-type'] = 'application/json';

    const response = await exchange(dispatcher, {
      origin: this.origin,
      path: `${path}?${query}`,
      method,
      headers,
      ...(hasBody ? { body: JSON.stringify(opts.body) } : {}),
    });
    const { text, contentType } = response;
    const ok = response.statusCode >= 200 && response.statusCode < 300;
    let body: unknown = text;
    if (text === '') body = null;
    else if (contentType.includes('json')) {
      try {
        body = JSON.parse(text);
      } catch (err) {
        // An error page labelled JSON is still an error page; only a 2xx must really be JSON.
        if (ok) {
          throw new SenseError('SENSE_ERROR', `QRS ${method} ${path} answered invalid JSON`, { cause: err });
        }
      }
    }
    return { status: response.statusCode, body: body as T };
  }

  /** 2xx → parsed body; any other status → SENSE_ERROR naming status and path. */
  async getJson<T>(path: string, query?: Record<string, string>): Promise<T> {
    const response = await this.request<T>('GET', path, query ? { query } : {});
    if (response.status < 200 || response.status > 299) throw statusError('GET', path, response);
    return response.body;
  }

  /** Tasks among `ids` that exist. Non-GUIDs cannot exist and are skipped; ids compare case-insensitively. */
  async tasksByIds(ids: string[]): Promise<TaskRef[]> {
    const wanted = [...new Set(ids.filter(isGuid).map((id) => id.toLowerCase()))];
    const found = new Map<string, TaskRef>();
    for (let i = 0; i < wanted.length; i += IDS_PER_LOOKUP) {
      const chunk = wanted.slice(i, i + IDS_PER_LOOKUP);
      const rows = toTaskRefs(await this.getJson('/qrs/task', { filter: idFilter(chunk) }), 'GET /qrs/task');
      for (const task of rows) {
        if (wanted.includes(task.id.toLowerCase())) found.set(task.id.toLowerCase(), task);
      }
    }
    return [...found.values()];
  }

  /** Tasks carrying any of the tags, in one call. */
  async tasksByTags(tags: string[]): Promise<TaskRef[]> {
    if (tags.length === 0) return [];
    return toTaskRefs(
      await this.getJson('/qrs/task/full', { filter: tagFilter(tags) }),
      'GET /qrs/task/full',
    );
  }

  /** Tasks with any of the custom-property name/value pairs, in one call. */
  async tasksByCustomProperties(pairs: { name: string; value: string }[]): Promise<TaskRef[]> {
    if (pairs.length === 0) return [];
    const filter = customPropertyFilter(pairs);
    return toTaskRefs(await this.getJson('/qrs/task/full', { filter }), 'GET /qrs/task/full');
  }

  /** Starts a task and waits until QRS created the execution; null when QRS did not start it (empty GUID). */
  async startTaskSynchronous(id: string): Promise<{ executionId: string | null }> {
    const path = `/qrs/task/${encodeURIComponent(id)}/start/synchronous`;
    const response = await this.request('POST', path);
    if (response.status < 200 || response.status > 299) throw statusError('POST', path, response);
    const executionId = guidValue(response.body);
    if (executionId === undefined) {
      throw new SenseError('SENSE_ERROR', `QRS POST ${path} answered without an execution id`);
    }
    return { executionId: executionId === EMPTY_GUID || executionId === '' ? null : executionId };
  }

  /** POST /qrs/task/{id}/start (QRS #1): starts without waiting and gives no execution id; 204 expected. */
  async startTask(id: string): Promise<void> {
    const path = `/qrs/task/${encodeURIComponent(id)}/start`;
    const response = await this.request('POST', path, { body: {} });
    if (response.status < 200 || response.status > 299) throw statusError('POST', path, response);
  }
}

function statusError(method: string, path: string, response: QrsResponse<unknown>): SenseError {
  const text = upstreamText(response.body);
  return new SenseError(
    'SENSE_ERROR',
    `QRS ${method} ${path} answered ${response.status}${text ? `: ${text}` : ''}`,
    { upstreamStatus: response.status },
  );
}

/** A short code for a failed exchange: the error's code (`ECONNREFUSED`, `UND_ERR_…`, `SENSE_ERROR`). */
export function failureCode(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' || typeof code === 'number' ? String(code) : 'error';
}
