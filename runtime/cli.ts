/**
 * `node dist/runtime/cli.js start [flags]`: runs the project's functions on the embedded host.
 * The app root is the project directory (two levels up from dist/runtime); the working directory stays
 * the user's (relative paths in flags and config resolve against it).
 */
import path from 'node:path';
import { tryLoadConfig } from '../shared/config/load';
import { parseAllowList } from './allowlist';
import { FLAGS, parseCliArgs, USAGE, UsageError, type FlagName } from './cli-args';
import { startEmbeddedHost, type EmbeddedHost, type EmbeddedHostOptions } from './host';
import { consoleHostLog } from './log';
import { EnvOverlay, parsePort, readLocalSettings } from './settings';

const EXIT_STARTUP_FAILED = 1;
const EXIT_USAGE = 2;
const BUTLER_BODY_LIMIT = 1024 * 1024;
const LOOPBACK_BINDS = /^(127\.\d+\.\d+\.\d+|::1|\[::1\]|localhost)$/i;

/** Hidden override for tests and development: serve another function app than this project. */
function appRoot(): string {
  return path.resolve(process.env.BUTLER_APP_ROOT || path.join(__dirname, '..', '..'));
}

class StartupError extends Error {}

function fail(code: number, message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

/** Flag, else app setting (environment, which already holds local.settings.json Values). */
function option(
  flags: Partial<Record<FlagName, string>>,
  name: FlagName,
): { value: string; from: string } | undefined {
  const flag = flags[name];
  if (flag !== undefined) return { value: flag, from: `--${name}` };
  const setting = process.env[FLAGS[name].setting];
  if (setting !== undefined && setting !== '') return { value: setting, from: FLAGS[name].setting };
  return undefined;
}

/** A bad flag value is a usage error (exit 2); a bad app setting is a start-up failure (exit 1). */
function invalid(source: { from: string }, message: string): never {
  if (source.from.startsWith('--')) throw new UsageError(`${source.from}: ${message}`);
  throw new StartupError(`App setting ${source.from}: ${message}`);
}

async function buildOptions(
  flags: Partial<Record<FlagName, string>>,
): Promise<EmbeddedHostOptions & { bind: string }> {
  const root = appRoot();
  const cwd = process.cwd();
  const local = await readLocalSettings(root).catch((err: Error) => {
    throw new StartupError(err.message);
  });
  // Values become app settings (an existing variable wins), before the config reads BUTLER__ overrides.
  if (local) new EnvOverlay(process.env).applyLocalValues(local.values, consoleHostLog);
  // Butler's 1 MiB request limit, unless the operator chose another (the host's own default is 100 MiB).
  process.env.FUNCTIONS_REQUEST_BODY_SIZE_LIMIT ||= String(BUTLER_BODY_LIMIT);
  if (flags.config) process.env.BUTLER_CONFIG_FILE = path.resolve(cwd, flags.config);

  const loaded = tryLoadConfig({ env: process.env, cwd });
  if (!loaded.ok) throw new StartupError(`Configuration error: ${loaded.error.message}`);
  const config = loaded.config;

  const portOption = option(flags, 'port');
  let port = local?.localHttpPort ?? 8080;
  if (portOption) {
    try {
      port = parsePort(portOption.value, portOption.from);
    } catch {
      invalid(portOption, `"${portOption.value}" is not a port number (0-65535)`);
    }
  }
  const bind = option(flags, 'bind')?.value ?? '127.0.0.1';
  const cert = option(flags, 'cert');
  const key = option(flags, 'key');
  const clientCa = option(flags, 'client-ca');
  if (Boolean(cert) !== Boolean(key))
    invalid(cert ?? key ?? { from: '--cert' }, '--cert and --key go together');
  if (clientCa && !cert) invalid(clientCa, 'a client CA needs HTTPS (--cert and --key)');
  const allowOption = option(flags, 'allow');
  if (allowOption) {
    try {
      parseAllowList(allowOption.value);
    } catch (err) {
      invalid(allowOption, (err as Error).message);
    }
  }
  const keysDir = path.resolve(cwd, option(flags, 'keys-dir')?.value ?? path.join(config.state.dir, 'keys'));
  // The function app reads keys from here too (the alerts callback URL carries one).
  process.env.BUTLER_KEYS_DIR = keysDir;
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
    timerStatusDir: config.state.backend === 'file' ? path.join(config.state.dir, 'timers') : undefined,
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
  let parsed;
  try {
    parsed = parseCliArgs(process.argv.slice(2));
  } catch (err) {
    fail(EXIT_USAGE, `${(err as Error).message}\n\n${USAGE}`);
  }
  if (parsed.command === 'help') {
    process.stdout.write(`${USAGE}\n`);
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
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  let bind: string;
  try {
    const opts = await buildOptions(parsed.flags);
    bind = opts.bind;
    if (!opts.tls && !LOOPBACK_BINDS.test(bind)) {
      consoleHostLog(
        `Warning: serving plain HTTP on ${bind}: function keys travel unencrypted. Use --cert/--key.`,
      );
    }
    host = await startEmbeddedHost(opts);
  } catch (err) {
    if (err instanceof UsageError) fail(EXIT_USAGE, `${err.message}\n\n${USAGE}`);
    // Expected failures (config, load, certificate, port in use) carry a message; only bugs need a stack.
    const unexpected = err instanceof TypeError || err instanceof ReferenceError || !(err instanceof Error);
    const text = unexpected ? String((err as Error)?.stack ?? err) : err.message;
    fail(EXIT_STARTUP_FAILED, `Butler Functions host failed to start: ${text}`);
  }
  const scheme = host.url.startsWith('https') ? 'https' : 'http';
  const shownBind = bind.includes(':') && !bind.startsWith('[') ? `[${bind}]` : bind;
  process.stdout.write(`Butler Functions host listening on ${scheme}://${shownBind}:${host.port}\n`);
  process.stdout.write(`Function keys directory: ${host.keysDir}\n`);
  process.stdout.write(`Functions:\n${describeFunctions(host).join('\n') || '  (none)'}\n`);
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
