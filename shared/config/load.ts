/**
 * Loads the product configuration once at start-up: file (YAML/JSON) → `${env:}` references →
 * empty sections dropped → `BUTLER__` overrides → schema validation with defaults → feature cross-checks → path resolution →
 * deep freeze. Synchronous on purpose: nothing else can run before the config is known.
 */
import path from 'node:path';
import { checkFeatureRequirements } from './cross-checks';
import { substituteEnvRefs } from './env-refs';
import { ConfigError, fileSuffix, isWithin } from './errors';
import { dropEmptySections } from './empty-sections';
import { applyOverrides } from './overrides';
import { readConfigFile } from './parse-file';
import { locateConfigFile, resolveConfigPaths } from './paths';
import { configSchema, validateConfigData, type SchemaIssue } from './validate';
import type { ButlerConfig, ConfigSettings } from './types';

export { ConfigError } from './errors';
export { enabledEndpointNames, ENDPOINT_NAMES } from './endpoints';
export { redactConfig } from './redact';

export interface LoadOptions {
  /** App settings; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Directory for `BUTLER_CONFIG_FILE`, the default file names and path resolution without a file. */
  cwd?: string;
}

/** Reads, validates and freezes the config. Throws ConfigError naming the JSON pointer of the problem. */
export function loadConfig(opts: LoadOptions = {}): ButlerConfig {
  const env = opts.env ?? process.env;
  const cwd = path.resolve(opts.cwd ?? process.cwd());
  const file = locateConfigFile(env, cwd);
  const schema = configSchema();
  // pointer → app setting that supplied the value, so a validation error can say where it came from.
  const sources = new Map<string, string>();
  const fromFile = file === null ? {} : readConfigFile(file);
  const data = substituteEnvRefs(fromFile, { env, schema, file, sources }) as Record<string, unknown>;
  dropEmptySections(data, schema);
  applyOverrides(data, { env, schema, file, sources });
  return finish(data, file, file === null ? cwd : path.dirname(file), sources);
}

export function tryLoadConfig(
  opts?: LoadOptions,
): { ok: true; config: ButlerConfig } | { ok: false; error: ConfigError } {
  try {
    return { ok: true, config: loadConfig(opts) };
  } catch (error) {
    if (error instanceof ConfigError) return { ok: false, error };
    // Never throw: callers run this at import time, where a throw drops every later function file.
    const reason = error instanceof Error ? error.message : String(error);
    const wrapped = new ConfigError('', `Config could not be loaded: ${reason}`);
    wrapped.cause = error;
    return { ok: false, error: wrapped };
  }
}

/** Every setting at its default (no file, no app settings); relative paths against `opts.cwd`. */
export function defaultConfig(opts: LoadOptions = {}): ButlerConfig {
  return finish({}, null, path.resolve(opts.cwd ?? process.cwd()), new Map());
}

function finish(
  data: Record<string, unknown>,
  file: string | null,
  baseDir: string,
  sources: ReadonlyMap<string, string>,
): ButlerConfig {
  const schemaIssue = validateConfigData(data);
  if (schemaIssue) throw invalid(schemaIssue, file, sources);
  delete data.$schema; // editor hint only
  const settings = data as unknown as ConfigSettings;
  normaliseAccountIds(settings);
  const featureIssue = checkFeatureRequirements(settings);
  if (featureIssue) throw invalid(featureIssue, file, sources);
  resolveConfigPaths(settings, baseDir);
  return deepFreeze({ source: file, ...settings });
}

/** The schema accepts `accountId: 1234567` unquoted (YAML makes it a number); the type is a string. */
function normaliseAccountIds(settings: ConfigSettings): void {
  for (const account of settings.newRelic.accounts) account.accountId = String(account.accountId);
}

function invalid(issue: SchemaIssue, file: string | null, sources: ReadonlyMap<string, string>): ConfigError {
  const origin = originOf(issue.pointer, sources);
  const from = origin === undefined ? '' : ` (value from app setting ${origin})`;
  return new ConfigError(
    issue.pointer,
    `Invalid config ${issue.pointer}: ${issue.reason}${from}${fileSuffix(file)}`,
    file,
  );
}

/** The app setting that supplied the value at `pointer` or at its nearest ancestor, if any. */
function originOf(pointer: string, sources: ReadonlyMap<string, string>): string | undefined {
  let best: [string, string] | undefined;
  for (const [source, variable] of sources) {
    if (isWithin(pointer, source) && (best === undefined || source.length > best[0].length))
      best = [source, variable];
  }
  return best?.[1];
}

/** Deep Object.freeze: the loaded config is shared by every function and must not change under them. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}
