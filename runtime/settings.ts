import { promises as fs } from 'node:fs';
import path from 'node:path';
import { LogLevels, type HostLog } from './log';

const JOB_HOST_PREFIX = 'azurefunctionsjobhost__';
const DEFAULT_BODY_LIMIT = 104_857_600; // Kestrel MaxRequestBodySize, as on the real host
const DEFAULT_FUNCTION_TIMEOUT_MS = 30 * 60_000; // outside the Consumption plan

export interface LocalSettings {
  values: Record<string, string>;
  localHttpPort: number | undefined;
}

export interface HstsSettings {
  maxAgeSeconds: number;
  includeSubDomains: boolean;
  preload: boolean;
}

/**
 * Connection and timing limits of the embedded host (host.json `embeddedHost`, overridable like any
 * host.json value with `AzureFunctionsJobHost__embeddedHost__<name>`). The real host leaves these to
 * Kestrel or the ingress; the embedded host faces clients itself, so it bounds them.
 */
export interface ConnectionLimits {
  /** Open connections in total (`server.maxConnections`); more are closed at once. */
  maxConnections: number;
  /** Open connections from one client address; more are answered 503 and closed. */
  maxConnectionsPerClient: number;
  /** Time to receive the request line and headers (408 after it). */
  headersTimeoutMs: number;
  /** Time to receive the whole request, body included (408 after it). */
  requestTimeoutMs: number;
  /** Longest silence while a body is being read (408, connection closed). */
  bodyIdleTimeoutMs: number;
  /** An idle keep-alive connection is closed after this long. */
  keepAliveTimeoutMs: number;
  /** Bytes of request line plus headers (431 beyond). */
  maxHeaderBytes: number;
  /** Liveness: `/admin/host/ping` answers 503 once every concurrency slot has been busy this long with none freed. */
  stallTimeoutMs: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  maxConnections: 512,
  maxConnectionsPerClient: 128,
  headersTimeoutMs: 15_000,
  requestTimeoutMs: 120_000,
  bodyIdleTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  maxHeaderBytes: 16 * 1024,
  stallTimeoutMs: 60_000,
};

export interface HostSettings {
  routePrefix: string;
  /** null = unbounded (`-1`). */
  functionTimeoutMs: number | null;
  maxConcurrentRequests: number;
  maxOutstandingRequests: number;
  dynamicThrottlesEnabled: boolean;
  customHeaders: Record<string, string>;
  hsts: HstsSettings | undefined;
  bodyLimitBytes: number;
  disableHomepage: boolean;
  /** `functions` in host.json (or AzureFunctionsJobHost__functions__N): load only these; undefined = all. */
  functionsFilter: string[] | undefined;
  limits: ConnectionLimits;
  /** host.json `logging.logLevel` (per category, `default` as fallback). */
  logLevels: LogLevels;
}

type Json = Record<string, unknown>;

/** Text of a JSON scalar for messages and settings; objects are shown as JSON. */
function scalarText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value) ?? '';
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function readJsonFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`Cannot read ${file}: ${(err as Error).message}`);
  }
  try {
    // Strip a BOM: editors on Windows like to add one.
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new Error(`${file} is not valid JSON: ${(err as Error).message}`);
  }
}

/** Reads `local.settings.json` (Core Tools' file); undefined when absent. */
export async function readLocalSettings(root: string): Promise<LocalSettings | undefined> {
  const file = path.join(root, 'local.settings.json');
  const parsed = await readJsonFile(file);
  if (parsed === undefined) return undefined;
  if (!isObject(parsed)) throw new Error(`${file} must hold a JSON object`);
  const values: Record<string, string> = {};
  const rawValues = parsed.Values ?? {};
  if (!isObject(rawValues)) throw new Error(`${file}: "Values" must be an object of strings`);
  for (const [key, value] of Object.entries(rawValues)) {
    if (value === null || typeof value === 'object')
      throw new Error(`${file}: Values.${key} must be a string`);
    values[key] = scalarText(value);
  }
  let localHttpPort: number | undefined;
  const hostSection = parsed.Host;
  if (isObject(hostSection) && hostSection.LocalHttpPort !== undefined) {
    localHttpPort = parsePort(hostSection.LocalHttpPort, `${file}: Host.LocalHttpPort`);
  }
  return { values, localHttpPort };
}

export function parsePort(value: unknown, what: string): number {
  const text = scalarText(value).trim();
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535)
    throw new Error(`${what} must be a port number 0-65535, got "${text}"`);
  return port;
}

/** Sets environment variables and remembers the previous values so the host can restore them on close. */
export class EnvOverlay {
  readonly #previous = new Map<string, string | undefined>();
  constructor(private readonly env: NodeJS.ProcessEnv) {}

  set(key: string, value: string): void {
    if (!this.#previous.has(key)) this.#previous.set(key, this.env[key]);
    this.env[key] = value;
  }

  /** Core Tools rule: an existing variable wins over `local.settings.json`. */
  applyLocalValues(values: Record<string, string>, log: HostLog): void {
    for (const [key, value] of Object.entries(values)) {
      if (this.env[key] !== undefined) {
        log(
          `Skipping '${key}' from local settings as it's already defined in current environment variables.`,
        );
        continue;
      }
      this.set(key, value);
    }
  }

  restore(): void {
    for (const [key, value] of this.#previous) {
      if (value === undefined) delete this.env[key];
      else this.env[key] = value;
    }
    this.#previous.clear();
  }
}

/** Deep merge for plain objects; arrays and scalars from `over` replace. */
export function deepMerge(base: Json, over: Json): Json {
  const out: Json = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    out[key] = isObject(current) && isObject(value) ? deepMerge(current, value) : value;
  }
  return out;
}

/** Applies `AzureFunctionsJobHost__a__b=value` (path segments matched case-insensitively; digits index arrays). */
export function applyJobHostEnv(hostJson: Json, env: NodeJS.ProcessEnv): Json {
  const out = structuredClone(hostJson);
  const entries = Object.entries(env)
    .filter(([key, value]) => key.toLowerCase().startsWith(JOB_HOST_PREFIX) && value !== undefined)
    .sort(([a], [b]) => a.localeCompare(b));
  for (const [key, value] of entries) {
    const segments = key.slice(JOB_HOST_PREFIX.length).split('__').filter(Boolean);
    if (segments.length === 0) continue;
    let node: Json | unknown[] = out;
    segments.forEach((segment, index) => {
      const last = index === segments.length - 1;
      const nextIsIndex = /^\d+$/.test(segments[index + 1] ?? '');
      if (Array.isArray(node)) {
        const i = Number(segment);
        if (last) node[i] = value;
        else node = (node[i] ??= nextIsIndex ? [] : {}) as Json | unknown[];
        return;
      }
      const existing = Object.keys(node).find((k) => k.toLowerCase() === segment.toLowerCase()) ?? segment;
      if (last) node[existing] = value;
      else {
        const child = node[existing];
        node = (
          typeof child === 'object' && child !== null ? child : (node[existing] = nextIsIndex ? [] : {})
        ) as Json | unknown[];
      }
    });
  }
  return out;
}

/** host.json of the app, deep-merged with `overrides`, then environment overrides. */
export async function loadHostJson(
  root: string,
  overrides: Json | undefined,
  env: NodeJS.ProcessEnv,
): Promise<Json> {
  const file = path.join(root, 'host.json');
  const parsed = (await readJsonFile(file)) ?? {};
  if (!isObject(parsed)) throw new Error(`${file} must hold a JSON object`);
  return applyJobHostEnv(overrides ? deepMerge(parsed, overrides) : parsed, env);
}

/** Parses a .NET TimeSpan as host.json writes it: `hh:mm:ss`, `d.hh:mm:ss`, fractional seconds; `-1` → null. */
export function parseTimeSpan(value: unknown, what: string): number | null {
  const text = scalarText(value).trim();
  if (text === '-1') return null;
  const match = /^(?:(\d+)\.)?(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,7}))?)?$/.exec(text);
  if (!match) {
    if (/^\d+$/.test(text)) return Number(text) * 86_400_000; // a bare number is days in TimeSpan.Parse
    throw new Error(`${what} must be a time span like "00:05:00" (or -1 for unbounded), got "${text}"`);
  }
  const [, days, hours, minutes, seconds, fraction] = match;
  const ms =
    ((Number(days ?? 0) * 24 + Number(hours)) * 60 + Number(minutes)) * 60_000 +
    Number(seconds ?? 0) * 1000 +
    Math.round(Number(`0.${fraction ?? '0'}`) * 1000);
  return ms;
}

function toInteger(value: unknown, fallback: number, what: string): number {
  if (value === undefined || value === null || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n)) throw new Error(`${what} must be an integer, got "${scalarText(value)}"`);
  return n;
}

/** A throttle limit: -1 (unbounded, the default) or a positive integer. */
function toLimit(value: unknown, what: string): number {
  const n = toInteger(value, -1, what);
  if (n !== -1 && n < 1) throw new Error(`${what} must be -1 (unbounded) or at least 1, got ${n}`);
  return n;
}

function toBool(value: unknown): boolean {
  return value === true || (typeof value === 'string' && ['true', '1'].includes(value.toLowerCase()));
}

function get(obj: unknown, ...keys: string[]): unknown {
  let node = obj;
  for (const key of keys) {
    if (!isObject(node)) return undefined;
    const actual = Object.keys(node).find((k) => k.toLowerCase() === key.toLowerCase());
    node = actual === undefined ? undefined : node[actual];
  }
  return node;
}

function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const key = Object.keys(env).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : env[key];
}

/** Turns host.json + app settings into the values the pipeline needs; bad values throw naming the setting. */
export function resolveHostSettings(hostJson: Json, env: NodeJS.ProcessEnv): HostSettings {
  const http = get(hostJson, 'extensions', 'http');
  const prefixRaw = get(http, 'routePrefix');
  const routePrefix = (typeof prefixRaw === 'string' ? prefixRaw : 'api').replace(/^\/+|\/+$/g, '');

  const timeoutRaw = get(hostJson, 'functionTimeout');
  const functionTimeoutMs =
    timeoutRaw === undefined || timeoutRaw === null
      ? DEFAULT_FUNCTION_TIMEOUT_MS
      : parseTimeSpan(timeoutRaw, 'host.json functionTimeout');

  const customHeaders: Record<string, string> = {};
  const headersRaw = get(http, 'customHeaders');
  if (isObject(headersRaw)) {
    for (const [name, value] of Object.entries(headersRaw)) customHeaders[name] = scalarText(value);
  }

  const hstsRaw = get(http, 'hsts');
  let hsts: HstsSettings | undefined;
  if (isObject(hstsRaw) && toBool(get(hstsRaw, 'isEnabled'))) {
    const maxAgeRaw = get(hstsRaw, 'maxAge');
    const maxAgeMs = maxAgeRaw === undefined ? 30 * 86_400_000 : parseTimeSpan(maxAgeRaw, 'hsts.maxAge');
    hsts = {
      maxAgeSeconds: Math.floor((maxAgeMs ?? 0) / 1000),
      includeSubDomains: toBool(get(hstsRaw, 'includeSubDomains')),
      preload: toBool(get(hstsRaw, 'preload')),
    };
  }

  const bodyLimitRaw = envValue(env, 'FUNCTIONS_REQUEST_BODY_SIZE_LIMIT');
  const bodyLimitBytes = toInteger(bodyLimitRaw, DEFAULT_BODY_LIMIT, 'FUNCTIONS_REQUEST_BODY_SIZE_LIMIT');
  if (bodyLimitBytes <= 0)
    throw new Error('FUNCTIONS_REQUEST_BODY_SIZE_LIMIT must be a positive number of bytes');

  const filterRaw = get(hostJson, 'functions');
  let functionsFilter: string[] | undefined;
  if (filterRaw !== undefined) {
    const list = Array.isArray(filterRaw)
      ? filterRaw
      : isObject(filterRaw)
        ? Object.values(filterRaw)
        : undefined;
    if (!list) throw new Error('host.json "functions" must be an array of function names');
    functionsFilter = list.filter((v): v is string => typeof v === 'string' && v.length > 0);
  }

  return {
    routePrefix,
    functionTimeoutMs,
    limits: resolveLimits(get(hostJson, 'embeddedHost')),
    maxConcurrentRequests: toLimit(
      get(http, 'maxConcurrentRequests'),
      'extensions.http.maxConcurrentRequests',
    ),
    maxOutstandingRequests: toLimit(
      get(http, 'maxOutstandingRequests'),
      'extensions.http.maxOutstandingRequests',
    ),
    dynamicThrottlesEnabled: toBool(get(http, 'dynamicThrottlesEnabled')),
    customHeaders,
    hsts,
    bodyLimitBytes,
    disableHomepage: toBool(envValue(env, 'AzureWebJobsDisableHomepage')),
    functionsFilter,
    logLevels: new LogLevels(get(hostJson, 'logging', 'logLevel')),
  };
}

function positiveInteger(value: unknown, fallback: number, what: string): number {
  const n = toInteger(value, fallback, what);
  if (n < 1) throw new Error(`${what} must be a positive integer, got ${n}`);
  return n;
}

function positiveSpan(value: unknown, fallbackMs: number, what: string): number {
  if (value === undefined || value === null || value === '') return fallbackMs;
  const ms = parseTimeSpan(value, what);
  if (ms === null || ms <= 0) throw new Error(`${what} must be a positive time span like "00:00:10"`);
  return ms;
}

function resolveLimits(raw: unknown): ConnectionLimits {
  const d = DEFAULT_CONNECTION_LIMITS;
  const at = (name: string): unknown => get(raw, name);
  const what = (name: string): string => `host.json embeddedHost.${name}`;
  const limits: ConnectionLimits = {
    maxConnections: positiveInteger(at('maxConnections'), d.maxConnections, what('maxConnections')),
    maxConnectionsPerClient: positiveInteger(
      at('maxConnectionsPerClient'),
      d.maxConnectionsPerClient,
      what('maxConnectionsPerClient'),
    ),
    headersTimeoutMs: positiveSpan(at('headersTimeout'), d.headersTimeoutMs, what('headersTimeout')),
    requestTimeoutMs: positiveSpan(at('requestTimeout'), d.requestTimeoutMs, what('requestTimeout')),
    bodyIdleTimeoutMs: positiveSpan(at('bodyIdleTimeout'), d.bodyIdleTimeoutMs, what('bodyIdleTimeout')),
    keepAliveTimeoutMs: positiveSpan(at('keepAliveTimeout'), d.keepAliveTimeoutMs, what('keepAliveTimeout')),
    maxHeaderBytes: positiveInteger(at('maxHeaderSize'), d.maxHeaderBytes, what('maxHeaderSize')),
    stallTimeoutMs: positiveSpan(at('stallTimeout'), d.stallTimeoutMs, what('stallTimeout')),
  };
  // Node requires the request timeout to cover the headers timeout.
  if (limits.requestTimeoutMs < limits.headersTimeoutMs) {
    throw new Error('host.json embeddedHost.requestTimeout must not be shorter than headersTimeout');
  }
  return limits;
}

/** `AzureWebJobs.<name>.Disabled=true` (name matched case-insensitively, as app settings are). */
export function isFunctionDisabled(name: string, env: NodeJS.ProcessEnv): boolean {
  return toBool(envValue(env, `AzureWebJobs.${name}.Disabled`));
}
