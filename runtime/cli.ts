/**
 * `node dist/runtime/cli.js start [flags]`: runs a function app on the embedded host. The app root is the
 * package that ships this file (two levels up from dist/runtime); the working directory stays the user's
 * (relative paths in flags resolve against it). What is the product's (name, app settings behind the
 * flags, extra flags, defaults, config checks) comes from its profile (cli-profile.ts).
 */
import path from 'node:path';
import { parseAllowList } from './allowlist';
import { HOST_FLAGS, parseCliArgs, usageText, UsageError, type FlagTable } from './cli-args';
import { loadHostProfile, type HostProfile } from './cli-profile';
import { startEmbeddedHost, type EmbeddedHost, type EmbeddedHostOptions } from './host';
import { consoleHostLog, flushConsoleHostLog } from './log';
import { EnvOverlay, parsePort, readLocalSettings } from './settings';

const EXIT_STARTUP_FAILED = 1;
const EXIT_USAGE = 2;
const STARTUP_STOP_MS = 5000;
const LOOPBACK_BINDS = /^(127\.\d+\.\d+\.\d+|::1|\[::1\]|localhost)$/i;
const PACKAGE_ROOT = path.join(__dirname, '..', '..');

class StartupError extends Error {}

function fail(code: number, message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

/** The host's flags with the profile's settings and help merged in, then the profile's own flags. */
function flagTable(profile: HostProfile): FlagTable {
  const table: FlagTable = { ...HOST_FLAGS };
  for (const [name, extra] of Object.entries(profile.flags ?? {})) {
    const base = table[name];
    if (!base && !extra.setting) throw new Error(`Profile flag --${name} needs an app setting`);
    table[name] = { value: 'VALUE', help: '', ...base, ...extra };
  }
  return table;
}

type Flags = Partial<Record<string, string>>;

/** Flag, else app setting (environment, which already holds local.settings.json Values). */
function option(table: FlagTable, flags: Flags, name: string): { value: string; from: string } | undefined {
  const flag = flags[name];
  if (flag !== undefined) return { value: flag, from: `--${name}` };
  const settingName = table[name]?.setting;
  const setting = settingName ? process.env[settingName] : undefined;
  if (settingName && setting !== undefined && setting !== '') return { value: setting, from: settingName };
  return undefined;
}

/** A bad flag value is a usage error (exit 2); a bad app setting is a start-up failure (exit 1). */
function invalid(source: { from: string }, message: string): never {
  if (source.from.startsWith('--')) throw new UsageError(`${source.from}: ${message}`);
  throw new StartupError(`App setting ${source.from}: ${message}`);
}

async function buildOptions(
  profile: HostProfile,
  table: FlagTable,
  flags: Flags,
): Promise<EmbeddedHostOptions & { bind: string }> {
  const rootOverride = profile.appRootSetting ? process.env[profile.appRootSetting] : undefined;
  const root = path.resolve(rootOverride || PACKAGE_ROOT);
  const cwd = process.cwd();
  const local = await readLocalSettings(root).catch((err: Error) => {
    throw new StartupError(err.message);
  });
  // Values become app settings (an existing variable wins), before the product reads its settings.
  if (local) new EnvOverlay(process.env).applyLocalValues(local.values, consoleHostLog);
  for (const [key, value] of Object.entries(profile.defaultSettings ?? {})) process.env[key] ||= value;
  // A product flag is its app setting for everyone who reads settings (the app included).
  for (const [name, spec] of Object.entries(profile.flags ?? {})) {
    const value = flags[name];
    if (name in HOST_FLAGS || value === undefined || !spec.setting) continue;
    process.env[spec.setting] = spec.file ? path.resolve(cwd, value) : value;
  }
  let defaults;
  try {
    defaults = (await profile.prepare?.({ env: process.env, cwd })) ?? {};
  } catch (err) {
    if (err instanceof TypeError || err instanceof ReferenceError || !(err instanceof Error)) throw err;
    throw new StartupError(err.message);
  }

  const portOption = option(table, flags, 'port');
  let port = local?.localHttpPort ?? 8080;
  if (portOption) {
    try {
      port = parsePort(portOption.value, portOption.from);
    } catch {
      invalid(portOption, `"${portOption.value}" is not a port number (0-65535)`);
    }
  }
  const bind = option(table, flags, 'bind')?.value ?? '127.0.0.1';
  const cert = option(table, flags, 'cert');
  const key = option(table, flags, 'key');
  const clientCa = option(table, flags, 'client-ca');
  if (Boolean(cert) !== Boolean(key))
    invalid(cert ?? key ?? { from: '--cert' }, '--cert and --key go together');
  if (clientCa && !cert) invalid(clientCa, 'a client CA needs HTTPS (--cert and --key)');
  const allowOption = option(table, flags, 'allow');
  if (allowOption) {
    try {
      parseAllowList(allowOption.value);
    } catch (err) {
      invalid(allowOption, (err as Error).message);
    }
  }
  const keysDirValue = option(table, flags, 'keys-dir')?.value ?? defaults.keysDir;
  const keysDir = keysDirValue === undefined ? undefined : path.resolve(cwd, keysDirValue);
  // The app may read keys too (e.g. to put one in a callback URL): its setting holds the effective directory.
  const keysSetting = table['keys-dir']?.setting;
  if (keysDir && keysSetting) process.env[keysSetting] = keysDir;
  return {
    root,
    port,
    bind,
    tls:
      cert && key
        ? {
            cert: path.resolve(cwd, cert.value),
            key: path.resolve(cwd, key.value),
            clientCa: clientCa ? path.resolve(cwd, clientCa.value) : undefined,
          }
        : undefined,
    allow: allowOption?.value,
    keysDir,
    localSettings: false,
    timerStatusDir: defaults.timerStatusDir,
    branding: { name: profile.name, id: profile.hostId, homepageNote: profile.homepageNote },
    log: consoleHostLog,
  };
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
}

function describeFunctions(host: EmbeddedHost): string[] {
  return host.registrations.map(({ name, bindings }) => {
    const trigger = Object.values(bindings).find(
      (b): b is Record<string, unknown> =>
        typeof b === 'object' && b !== null && /trigger$/i.test(String((b as { type?: unknown }).type)),
    );
    if (trigger?.type === 'httpTrigger') {
      const methods = Array.isArray(trigger.methods) ? trigger.methods.join(',') : '*';
      return `  ${name}: [${methods}] /${text(trigger.route ?? name)} (auth: ${text(trigger.authLevel ?? 'function')})`;
    }
    if (trigger?.type === 'timerTrigger') return `  ${name}: timer "${text(trigger.schedule)}"`;
    return `  ${name}: ${text(trigger?.type ?? 'unknown trigger')}`;
  });
}

async function main(): Promise<void> {
  let profile: HostProfile;
  let table: FlagTable;
  try {
    profile = await loadHostProfile(PACKAGE_ROOT);
    table = flagTable(profile);
  } catch (err) {
    fail(EXIT_STARTUP_FAILED, `Cannot load the host profile: ${(err as Error).message}`);
  }
  const usage = usageText(table);
  let parsed;
  try {
    parsed = parseCliArgs(process.argv.slice(2), table);
  } catch (err) {
    fail(EXIT_USAGE, `${(err as Error).message}\n\n${usage}`);
  }
  if (parsed.command === 'help') {
    process.stdout.write(`${usage}\n`);
    return;
  }

  // Signal handlers go in first: a SIGTERM during start-up still ends in a clean close.
  let host: EmbeddedHost | undefined;
  let stopSignal: string | undefined;
  const stop = (signal: string): void => {
    if (stopSignal) {
      process.stderr.write(`${signal} again: exiting without waiting\n`);
      process.exit(EXIT_STARTUP_FAILED);
    }
    stopSignal = signal;
    if (host) closeAndExit(host, signal);
    // A start-up that hangs (an appStart hook, a slow disk) must not outlive the signal for long.
    else
      setTimeout(
        () => fail(EXIT_STARTUP_FAILED, `${signal}: start-up did not finish, exiting`),
        STARTUP_STOP_MS,
      );
  };
  // Start-up waiting on a promise nothing will settle (no timer, no socket) would let Node exit 0.
  process.on('beforeExit', () => {
    if (!host)
      fail(EXIT_STARTUP_FAILED, 'Start-up stopped without finishing (a promise that never settles?)');
  });
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  let bind: string;
  try {
    const opts = await buildOptions(profile, table, parsed.flags);
    bind = opts.bind;
    if (!opts.tls && !LOOPBACK_BINDS.test(bind)) {
      consoleHostLog(
        `Warning: serving plain HTTP on ${bind}: function keys travel unencrypted. Use --cert/--key.`,
      );
    }
    host = await startEmbeddedHost(opts);
  } catch (err) {
    if (err instanceof UsageError) fail(EXIT_USAGE, `${err.message}\n\n${usage}`);
    // Expected failures (config, load, certificate, port in use) carry a message; only bugs need a stack.
    const unexpected = err instanceof TypeError || err instanceof ReferenceError || !(err instanceof Error);
    const text = unexpected ? String((err as Error)?.stack ?? err) : err.message;
    fail(EXIT_STARTUP_FAILED, `${profile.name} host failed to start: ${text}`);
  }
  flushConsoleHostLog();
  const scheme = host.url.startsWith('https') ? 'https' : 'http';
  const shownBind = bind.includes(':') && !bind.startsWith('[') ? `[${bind}]` : bind;
  // One write, so a reader that sees the listening line also sees the key directory and functions.
  process.stdout.write(
    `${profile.name} host listening on ${scheme}://${shownBind}:${host.port}\n` +
      `Function keys directory: ${host.keysDir}\n` +
      `Functions:\n${describeFunctions(host).join('\n') || '  (none)'}\n`,
  );
  if (stopSignal) closeAndExit(host, stopSignal);
}

function closeAndExit(host: EmbeddedHost, signal: string): void {
  consoleHostLog(`${signal} received: stopping (finishing in-flight requests)`);
  host.close().then(
    () => process.exit(0),
    (err: unknown) => fail(EXIT_STARTUP_FAILED, `Error while stopping: ${(err as Error).message}`),
  );
}

main().catch((err: unknown) => fail(EXIT_STARTUP_FAILED, String((err as Error)?.stack ?? err)));
