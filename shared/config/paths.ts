/** Which config file to read, and resolving the relative paths inside it. */
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from './errors';
import type { ConfigSettings } from './types';

export const CONFIG_FILE_SETTING = 'BUTLER_CONFIG_FILE';

/**
 * Default file names looked for in the working directory. YAML is the documented default; `.yml` and
 * `.json` are accepted too because operators use them interchangeably. Two present at once is an error
 * rather than a silent pick.
 */
export const DEFAULT_CONFIG_FILES = [
  'butler.config.yaml',
  'butler.config.yml',
  'butler.config.json',
] as const;

/** Absolute path of the config file to read, or null to run on defaults. Throws ConfigError. */
export function locateConfigFile(env: NodeJS.ProcessEnv, cwd: string): string | null {
  const named = env[CONFIG_FILE_SETTING]?.trim();
  if (named) {
    const file = path.resolve(cwd, named);
    if (!fs.existsSync(file)) {
      throw new ConfigError('', `Config file ${file} (named by ${CONFIG_FILE_SETTING}) does not exist`, file);
    }
    return file;
  }
  const present = DEFAULT_CONFIG_FILES.map((name) => path.resolve(cwd, name)).filter((file) =>
    fs.existsSync(file),
  );
  if (present.length > 1) {
    throw new ConfigError(
      '',
      `Found several config files (${present.join(', ')}): remove all but one or set ${CONFIG_FILE_SETTING}`,
      null,
    );
  }
  return present[0] ?? null;
}

/** A path that is absolute on this platform or on Windows (`C:\…`, `\\server\share`) stays as written. */
export function resolveAgainst(baseDir: string, setting: string): string {
  return path.isAbsolute(setting) || path.win32.isAbsolute(setting)
    ? setting
    : path.resolve(baseDir, setting);
}

/** Resolves every path setting in place (before freezing) against `baseDir`. Certificates are not read here. */
export function resolveConfigPaths(config: ConfigSettings, baseDir: string): void {
  const resolve = (setting: string): string => resolveAgainst(baseDir, setting);
  const resolveNullable = (setting: string | null): string | null =>
    setting === null ? null : resolve(setting);

  const { sense, mqtt, fileOps, state } = config;
  sense.cert = resolveNullable(sense.cert);
  sense.key = resolveNullable(sense.key);
  sense.ca = resolveNullable(sense.ca);
  mqtt.ca = resolveNullable(mqtt.ca);
  mqtt.cert = resolveNullable(mqtt.cert);
  mqtt.key = resolveNullable(mqtt.key);
  state.dir = resolve(state.dir);
  fileOps.copy = fileOps.copy.map((pair) => ({ from: resolve(pair.from), to: resolve(pair.to) }));
  fileOps.move = fileOps.move.map((pair) => ({ from: resolve(pair.from), to: resolve(pair.to) }));
  fileOps.delete = fileOps.delete.map(resolve);
  fileOps.createDir = fileOps.createDir.map(resolve);
  fileOps.qvdRoot = resolveNullable(fileOps.qvdRoot);
  config.alerts.channels.email.smtp.ca = resolveNullable(config.alerts.channels.email.smtp.ca);
}
