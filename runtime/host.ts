import { promises as fs } from 'node:fs';
import type http from 'node:http';
import type https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { LOOPBACK_ONLY, parseAllowList } from './allowlist';
import type { CoreLogSink, RegisteredFunction } from './core-shim';
import { buildInvocationRequest, invokeWithTimeout, timerTriggerData, triggerBinding } from './invoke';
import { loadKeyRing, readKey } from './keys';
import { loadFunctionApp, runAppStartHooks, runAppTerminateHooks, type LoadedApp } from './loader';
import {
  consoleHostLog,
  describeError,
  isLevelEnabled,
  RateLimitedLog,
  type HostLog,
  type LogLevel,
  type LogLevels,
} from './log';
import { parseTimerSchedule } from './ncrontab';
import { homepageHtml } from './pipeline/builtins';
import { InFlightTracker, type PipelineContext } from './pipeline/context';
import { RouteTable } from './router';
import { createHostServer, loadTlsMaterial } from './server';
import {
  EnvOverlay,
  isFunctionDisabled,
  loadHostJson,
  readLocalSettings,
  resolveHostSettings,
  type HostSettings,
} from './settings';
import { RequestThrottle } from './throttle';
import {
  fileTimerStatusStore,
  memoryTimerStatusStore,
  TimerScheduler,
  type Clock,
  type TimerInfo,
} from './timers';

export interface EmbeddedHostOptions {
  /** Function app root: holds package.json (`main` glob), host.json, local.settings.json. */
  root: string;
  port?: number;
  bind?: string;
  /** PEM file paths; `clientCa` requires client certificates signed by it (mTLS). */
  tls?: { cert: string; key: string; clientCa?: string };
  /** Client allow-list (CIDRs / addresses, comma separated); default loopback only. */
  allow?: string;
  /** Default: a fresh temp dir (removed on close). */
  keysDir?: string;
  /** Set in process.env for the host's life (they win over the environment), restored on close. */
  settings?: Record<string, string>;
  /** Deep-merged over root/host.json (tests). */
  hostJson?: Record<string, unknown>;
  /** Read root/local.settings.json (default true). */
  localSettings?: boolean;
  clock?: Clock;
  log?: (line: string) => void;
  /** How long close() waits for in-flight requests (default 10 s). */
  shutdownGraceMs?: number;
  /** Directory for timer schedule status files; default: in memory. */
  timerStatusDir?: string;
  /** The product's name (homepage title), `id` in /admin/host/status and a homepage sentence. */
  branding?: { name?: string; id?: string; homepageNote?: string };
}

export interface EmbeddedHost {
  url: string;
  port: number;
  keysDir: string;
  keys: { master: string; default: string | undefined };
  registrations: { name: string; bindings: Record<string, unknown> }[];
  invokeTimer(name: string, opts?: { isPastDue?: boolean }): Promise<void>;
  close(): Promise<void>;
}

const DEFAULT_GRACE_MS = 10_000;
const HOST_VERSION = '4.x-embedded';

let hostRunning = false;

function displayHost(bind: string): string {
  if (bind === '0.0.0.0') return '127.0.0.1';
  if (bind === '::' || bind === '[::]') return '[::1]';
  return bind.includes(':') && !bind.startsWith('[') ? `[${bind}]` : bind;
}

/** Function logs go to category `Function.<name>.User`, the library's own to `Worker`, as on the real host. */
function createLogSink(log: HostLog, levels: LogLevels): CoreLogSink {
  // Per function name: its category's minimum level, found once.
  const userLevels = new Map<string, LogLevel>();
  const minimumFor = (functionName: string): LogLevel => {
    let minimum = userLevels.get(functionName);
    if (minimum === undefined) {
      minimum = levels.levelFor(`Function.${functionName}.User`);
      userLevels.set(functionName, minimum);
    }
    return minimum;
  };
  const workerMinimum = levels.levelFor('Worker');
  return (level, category, message, invocation) => {
    const minimum = invocation ? minimumFor(invocation.functionName) : workerMinimum;
    if (!isLevelEnabled(level, minimum)) return;
    const origin = invocation
      ? `Functions.${invocation.functionName} (Id=${invocation.invocationId}) `
      : category === 'system'
        ? 'Worker: '
        : '';
    const tag = level === 'information' ? '' : `[${level}] `;
    log(`${origin}${tag}${message}`);
  };
}

async function readOptionalKey(dir: string, file: string): Promise<string | undefined> {
  try {
    return await readKey(dir, file);
  } catch {
    return undefined;
  }
}

function listen(server: http.Server | https.Server, port: number, bind: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      reject(new Error(`Cannot listen on ${bind}:${port}: ${err.code ?? err.message}`));
    };
    server.once('error', onError);
    server.listen({ port, host: bind }, () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

function closeServer(server: http.Server | https.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

function isTimer(fn: RegisteredFunction): boolean {
  return /^timertrigger$/i.test(triggerBinding(fn).binding.type ?? '');
}

function isHttp(fn: RegisteredFunction): boolean {
  return /^httptrigger$/i.test(triggerBinding(fn).binding.type ?? '');
}

/** `%NAME%` in a schedule is an app setting reference, as on the real host. */
function resolveSchedule(raw: unknown, functionName: string): string {
  const text = typeof raw === 'string' ? raw.trim() : '';
  const ref = /^%([^%]+)%$/.exec(text);
  if (!ref) return text;
  const value = process.env[ref[1] ?? ''];
  if (value === undefined)
    throw new Error(`timer ${functionName}: app setting ${ref[1]} (schedule) is not set`);
  return value;
}

/** The library's stream listener address (HttpUri), checked so a bad value fails start-up. */
function streamUri(capabilities: Record<string, string>): URL | undefined {
  const text = capabilities.HttpUri;
  if (!text) return undefined;
  let uri: URL | undefined;
  try {
    uri = new URL(text);
  } catch {
    uri = undefined;
  }
  if (uri?.protocol !== 'http:') throw new Error(`The library reported an unusable HttpUri "${text}"`);
  return uri;
}

class Host {
  readonly overlay = new EnvOverlay(process.env);
  readonly inFlight = new InFlightTracker();
  readonly appLevelHookData: Record<string, unknown> = {};
  readonly startedAt = Date.now();
  log: HostLog;
  settings!: HostSettings;
  app: LoadedApp | undefined;
  scheduler: TimerScheduler | undefined;
  server: http.Server | https.Server | undefined;
  appStarted = false;
  tempKeysDir: string | undefined;
  closing = false;
  closed: Promise<void> | undefined;

  constructor(readonly opts: EmbeddedHostOptions) {
    this.log = opts.log ?? consoleHostLog;
  }

  async runTimer(fn: RegisteredFunction, info: TimerInfo): Promise<void> {
    const app = this.app;
    if (!app) throw new Error('host is not started');
    const request = buildInvocationRequest(fn, {
      triggerData: timerTriggerData({
        isPastDue: info.isPastDue,
        adjustForDST: info.schedule.adjustForDST,
        scheduleStatus: info.scheduleStatus,
      }),
    });
    await this.runTracked(fn, request.invocationId, 'Timer fired', () =>
      invokeWithTimeout(app.shim, fn, request, this.settings.functionTimeoutMs),
    );
  }

  /** Logs Executing/Executed lines around one non-HTTP invocation and counts it as in flight. */
  async runTracked(
    fn: RegisteredFunction,
    id: string,
    reason: string,
    run: () => Promise<unknown>,
  ): Promise<void> {
    const done = this.inFlight.begin();
    const name = fn.metadata.name;
    const started = Date.now();
    // Category `Function.<name>` as on the real host: a once-a-second timer can be kept quiet in host.json.
    const info = this.settings.logLevels.enabled(`Function.${name}`, 'information');
    if (info) this.log(`Executing 'Functions.${name}' (Reason='${reason}', Id=${id})`);
    try {
      await run();
      if (info) {
        this.log(`Executed 'Functions.${name}' (Succeeded, Id=${id}, Duration=${Date.now() - started}ms)`);
      }
    } catch (err) {
      this.log(
        `Executed 'Functions.${name}' (Failed, Id=${id}, Duration=${Date.now() - started}ms): ${describeError(err)}`,
      );
      throw err;
    } finally {
      done();
    }
  }

  startNonHttp(fn: RegisteredFunction, input: string): void {
    const app = this.app;
    if (!app) return;
    const done = this.inFlight.begin();
    let work: Promise<void>;
    if (isTimer(fn) && this.scheduler) {
      work = this.scheduler.invoke(fn.metadata.name, { isPastDue: false });
    } else {
      const request = buildInvocationRequest(fn, { triggerData: { string: input } });
      work = this.runTracked(
        fn,
        request.invocationId,
        'This function was programmatically called via the host APIs.',
        () => invokeWithTimeout(app.shim, fn, request, this.settings.functionTimeoutMs),
      );
    }
    work
      .catch((err: unknown) =>
        this.log(`Admin invocation of ${fn.metadata.name} failed: ${describeError(err)}`),
      )
      .finally(done);
  }

  async start(): Promise<EmbeddedHost> {
    const { opts } = this;
    const root = path.resolve(opts.root);
    for (const [key, value] of Object.entries(opts.settings ?? {})) this.overlay.set(key, value);
    if (opts.localSettings !== false) {
      const local = await readLocalSettings(root);
      if (local) this.overlay.applyLocalValues(local.values, this.log);
    }
    const hostJson = await loadHostJson(root, opts.hostJson, process.env);
    const settings = resolveHostSettings(hostJson, process.env);
    this.settings = settings;
    if (settings.dynamicThrottlesEnabled) {
      this.log(
        'Warning: extensions.http.dynamicThrottlesEnabled is not supported by the embedded host (ignored)',
      );
    }
    const clients = parseAllowList(opts.allow ?? LOOPBACK_ONLY);
    if (clients.admitsEveryone) {
      this.log(
        `Warning: the client allow-list (${clients.entries.join(',')}) admits every address: ` +
          'only the function keys protect the API. List the addresses of your clients.',
      );
    }
    const tlsMaterial = opts.tls ? await loadTlsMaterial(opts.tls) : undefined;

    let keysDir = opts.keysDir;
    if (!keysDir) {
      keysDir = await fs.mkdtemp(path.join(os.tmpdir(), 'functions-keys-'));
      this.tempKeysDir = keysDir;
    }
    keysDir = path.resolve(keysDir);
    const { ring } = await loadKeyRing(keysDir, this.log);
    const master = await readOptionalKey(keysDir, 'host.master');
    if (!master) throw new Error(`The key directory ${keysDir} has keys but no host.master`);
    const defaultKey = await readOptionalKey(keysDir, 'host.function.default');

    const app = await loadFunctionApp(root, this.log);
    this.app = app;
    app.shim.setLogSink(createLogSink(this.log, settings.logLevels));

    const filter = settings.functionsFilter?.map((name) => name.toLowerCase());
    const loaded = app.shim.functions.filter(
      (fn) => !filter || filter.includes(fn.metadata.name.toLowerCase()),
    );
    const functions = new Map(loaded.map((fn) => [fn.metadata.name.toLowerCase(), fn]));
    const disabled = new Set(
      loaded
        .filter((fn) => isFunctionDisabled(fn.metadata.name, process.env))
        .map((fn) => fn.metadata.name.toLowerCase()),
    );

    const httpFunctions = loaded.filter(isHttp);
    const built = RouteTable.build(
      httpFunctions.map((fn) => {
        const binding = triggerBinding(fn).binding;
        return {
          functionName: fn.metadata.name,
          route: typeof binding.route === 'string' ? binding.route : undefined,
          methods: Array.isArray(binding.methods)
            ? binding.methods.map((m) => String(m).toUpperCase())
            : undefined,
        };
      }),
      settings.routePrefix,
    );
    for (const problem of built.errors)
      this.log(`ERROR: function ${problem.functionName} is not routed: ${problem.message}`);
    for (const warning of built.warnings) this.log(`Warning: ${warning}`);

    const scheduler = new TimerScheduler({
      clock: opts.clock,
      statusStore: opts.timerStatusDir ? fileTimerStatusStore(opts.timerStatusDir) : memoryTimerStatusStore(),
      log: (level, msg) =>
        this.log(level === 'info' ? msg : `${level === 'warn' ? 'Warning' : 'ERROR'}: ${msg}`),
    });
    this.scheduler = scheduler;
    for (const fn of loaded.filter(isTimer)) {
      const binding = triggerBinding(fn).binding;
      const name = fn.metadata.name;
      if (disabled.has(name.toLowerCase())) {
        this.log(`Function ${name} is disabled (AzureWebJobs.${name}.Disabled): its timer is not scheduled`);
        continue;
      }
      try {
        const schedule = parseTimerSchedule(resolveSchedule(binding.schedule, name));
        scheduler.add({
          name,
          schedule,
          runOnStartup: binding.runOnStartup === true,
          useMonitor:
            typeof binding.useMonitor === 'boolean'
              ? binding.useMonitor
              : !schedule.firesMoreThanOncePerMinute,
          run: (info) => this.runTimer(fn, info),
        });
      } catch (err) {
        this.log(`ERROR: timer function ${name} is not scheduled: ${(err as Error).message}`);
      }
    }

    await runAppStartHooks(app, this.appLevelHookData);
    this.appStarted = true;

    const bind = opts.bind ?? '127.0.0.1';
    const throttle = new RequestThrottle(settings.maxConcurrentRequests, settings.maxOutstandingRequests);
    const ctx: PipelineContext = {
      secure: Boolean(tlsMaterial),
      fallbackHost: displayHost(bind),
      clients,
      settings,
      throttle,
      routes: built.table,
      functions,
      disabled,
      keys: ring,
      shim: app.shim,
      httpStreamUri: streamUri(app.capabilities),
      log: this.log,
      audit: {
        keys: new RateLimitedLog(this.log),
        clients: new RateLimitedLog(this.log),
        tls: new RateLimitedLog(this.log),
      },
      stalled: () => throttle.stalled(settings.limits.stallTimeoutMs),
      inFlight: this.inFlight,
      isClosing: () => this.closing,
      homepage: homepageHtml(opts.branding?.name, opts.branding?.homepageNote),
      startNonHttp: (fn, input) => this.startNonHttp(fn, input),
      status: () => ({
        id: opts.branding?.id ?? 'embedded-host',
        state: this.closing ? 'Stopping' : 'Running',
        version: HOST_VERSION,
        versionDetails: `embedded host; @azure/functions programming model ${app.shim.programmingModel?.version ?? '?'}`,
        processUptime: Math.round(process.uptime() * 1000),
      }),
    };
    const server = createHostServer(ctx, tlsMaterial);
    this.server = server;
    const port = await listen(server, opts.port ?? 0, bind);
    ctx.fallbackHost = `${displayHost(bind)}:${port}`;
    await scheduler.start();

    const url = `${tlsMaterial ? 'https' : 'http'}://${displayHost(bind)}:${port}`;
    return {
      url,
      port,
      keysDir,
      keys: { master, default: defaultKey },
      registrations: loaded.map((fn) => ({ name: fn.metadata.name, bindings: { ...fn.metadata.bindings } })),
      invokeTimer: (name, invokeOpts) => scheduler.invoke(name, invokeOpts),
      close: () => this.close(),
    };
  }

  close(): Promise<void> {
    this.closed ??= this.shutdown();
    return this.closed;
  }

  private async shutdown(): Promise<void> {
    this.closing = true;
    const grace = this.opts.shutdownGraceMs ?? DEFAULT_GRACE_MS;
    try {
      const server = this.server;
      if (server) {
        const stopped = closeServer(server);
        server.closeIdleConnections();
        const drained = await this.inFlight.idle(grace);
        if (!drained) {
          this.log(
            `Shutdown grace period of ${grace} ms ended with ${this.inFlight.count} invocation(s) in flight`,
          );
        }
        server.closeAllConnections();
        await stopped;
      }
      await this.scheduler?.stop();
      if (this.app && this.appStarted) {
        try {
          await runAppTerminateHooks(this.app, this.appLevelHookData);
        } catch (err) {
          this.log(`ERROR: an appTerminate hook failed: ${describeError(err)}`);
        }
      }
    } finally {
      this.app?.shim.setLogSink(undefined);
      this.overlay.restore();
      if (this.tempKeysDir) await fs.rm(this.tempKeysDir, { recursive: true, force: true });
      hostRunning = false;
    }
  }
}

/**
 * Starts the embedded Functions host: settings, keys, function app (captured once per process), appStart
 * hooks, HTTP(S) server and timers. Only one host may run at a time in a process.
 */
export async function startEmbeddedHost(opts: EmbeddedHostOptions): Promise<EmbeddedHost> {
  if (hostRunning) throw new Error('An embedded host is already running in this process; close it first');
  hostRunning = true;
  const host = new Host(opts);
  try {
    return await host.start();
  } catch (err) {
    await host.close().catch(() => undefined);
    throw err;
  }
}
