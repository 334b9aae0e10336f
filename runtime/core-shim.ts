import Module from 'node:module';
import type {
  Disposable,
  FunctionCallback,
  FunctionMetadata,
  HookCallback,
  HookContext,
  ProgrammingModel,
  RpcLogCategory,
  RpcLogLevel,
} from './core-types';

/** Version strings the library may read; the host version enables features gated on host ≥ 4.34 (log hooks). */
const WORKER_VERSION = '3.10.1-embedded';
const HOST_VERSION = '4.1037.0';
const CORE_MODULE_ID = '@azure/functions-core';
const LIBRARY_MODULE_ID = '@azure/functions';

export const HOOK_NAMES = ['appStart', 'appTerminate', 'preInvocation', 'postInvocation', 'log'] as const;
export type HookName = (typeof HOOK_NAMES)[number];

export interface RegisteredFunction {
  metadata: FunctionMetadata;
  callback: FunctionCallback;
}

/** The invocation a log line belongs to: ids for the host log, hook data and context for `log` hooks. */
export interface InvocationLogContext {
  functionName: string;
  invocationId: string;
  hookData?: Record<string, unknown>;
  invocationContext?: unknown;
}

export type CoreLogSink = (
  level: RpcLogLevel,
  category: RpcLogCategory,
  message: string,
  invocation?: InvocationLogContext,
) => void;

export interface CoreShim {
  readonly programmingModel: ProgrammingModel | undefined;
  /** The exports of the first `require('@azure/functions')` the app made (its HttpRequest, … classes). */
  readonly library: unknown;
  readonly functions: readonly RegisteredFunction[];
  readonly registrationLocked: boolean;
  /** Shared by all hooks of the process, like the worker's `appHookData`. */
  readonly appHookData: Record<string, unknown>;
  /** Ends start-up: later `registerFunction` calls throw the worker's message. */
  lockRegistration(): void;
  hooks(name: HookName): readonly HookCallback[];
  /** Runs the hooks of one kind in registration order, awaiting each (like the worker's executeHooks). */
  runHooks(name: HookName, context: HookContext): Promise<void>;
  /** How many hooks of a kind are registered (invocations skip empty hook lists). */
  hookCount(name: HookName): number;
  /** Routes a log line through `log` hooks to the current sink. */
  log(level: RpcLogLevel, category: RpcLogCategory, message: string, invocation?: InvocationLogContext): void;
  setLogSink(sink: CoreLogSink | undefined): void;
}

class SystemRangeError extends RangeError {
  isAzureFunctionsSystemError = true;
}

class SystemError extends Error {
  isAzureFunctionsSystemError = true;
}

/** Same contract as the worker's Disposable: runs its callback once. */
class CoreDisposable implements Disposable {
  #onDispose: (() => unknown) | undefined;
  constructor(onDispose: () => unknown) {
    this.#onDispose = onDispose;
  }
  static from(...items: { dispose(): unknown }[]): CoreDisposable {
    return new CoreDisposable(() => items.forEach((item) => item.dispose()));
  }
  dispose(): unknown {
    const callback = this.#onDispose;
    this.#onDispose = undefined;
    return callback?.();
  }
}

function isHookName(name: string): name is HookName {
  return (HOOK_NAMES as readonly string[]).includes(name);
}

function createCoreShim(): {
  shim: CoreShim;
  coreApi: Record<string, unknown>;
  noteLibrary: (exports: unknown) => void;
} {
  let programmingModel: ProgrammingModel | undefined;
  let library: unknown;
  let locked = false;
  let sink: CoreLogSink | undefined;
  const functions: RegisteredFunction[] = [];
  const hookLists: Record<HookName, HookCallback[]> = {
    appStart: [],
    appTerminate: [],
    preInvocation: [],
    postInvocation: [],
    log: [],
  };
  const appHookData: Record<string, unknown> = {};

  const emit = (
    level: RpcLogLevel,
    category: RpcLogCategory,
    message: string,
    invocation?: InvocationLogContext,
  ): void => {
    // The common case, no log hooks: nothing to build.
    if (hookLists.log.length === 0) {
      (sink ?? fallbackSink)(level, category, message, invocation);
      return;
    }
    const logContext: HookContext = {
      hookData: invocation?.hookData ?? {},
      appHookData,
      invocationContext: invocation?.invocationContext,
      level,
      message,
      category,
    };
    for (const hook of hookLists.log) {
      try {
        // Log hooks are synchronous in the worker; a hook may rewrite level and message.
        hook(logContext);
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        (sink ?? fallbackSink)('error', 'system', `A log hook threw: ${reason}`);
      }
    }
    (sink ?? fallbackSink)(logContext.level as RpcLogLevel, category, String(logContext.message), invocation);
  };

  const coreApi = {
    version: WORKER_VERSION,
    hostVersion: HOST_VERSION,
    Disposable: CoreDisposable,
    setProgrammingModel(model: ProgrammingModel): void {
      programmingModel = model;
    },
    getProgrammingModel(): ProgrammingModel | undefined {
      return programmingModel;
    },
    registerFunction(metadata: FunctionMetadata, callback: FunctionCallback): Disposable {
      if (locked) throw new SystemError('A function can only be registered during app startup.');
      const id = metadata.functionId || metadata.name;
      if (functions.some((f) => (f.metadata.functionId || f.metadata.name) === id)) {
        throw new SystemError(`A function with id "${id}" has already been registered.`);
      }
      const entry: RegisteredFunction = { metadata, callback };
      functions.push(entry);
      return new CoreDisposable(() => {
        if (locked) throw new SystemError('A function can only be disposed during app startup.');
        const index = functions.indexOf(entry);
        if (index >= 0) functions.splice(index, 1);
      });
    },
    registerHook(name: string, callback: HookCallback): Disposable {
      if (!isHookName(name)) throw new SystemRangeError(`Unrecognized hook "${name}"`);
      const list = hookLists[name];
      list.push(callback);
      return new CoreDisposable(() => {
        const index = list.indexOf(callback);
        if (index >= 0) list.splice(index, 1);
      });
    },
    log(level: RpcLogLevel, category: RpcLogCategory, message: string): void {
      emit(level, category, message);
    },
  };

  const shim: CoreShim = {
    get programmingModel() {
      return programmingModel;
    },
    get library() {
      return library;
    },
    get functions() {
      return functions;
    },
    get registrationLocked() {
      return locked;
    },
    appHookData,
    lockRegistration() {
      locked = true;
    },
    hooks(name) {
      return hookLists[name];
    },
    hookCount(name) {
      return hookLists[name].length;
    },
    async runHooks(name, context) {
      // Copy: a hook may dispose itself while running.
      for (const hook of [...hookLists[name]]) await hook(context);
    },
    log: emit,
    setLogSink(next) {
      sink = next;
    },
  };
  const noteLibrary = (exports: unknown): void => {
    library ??= exports;
  };
  return { shim, coreApi, noteLibrary };
}

function fallbackSink(
  level: RpcLogLevel,
  category: RpcLogCategory,
  message: string,
  invocation?: InvocationLogContext,
): void {
  if (level === 'debug' || level === 'trace') return;
  const origin = invocation ? ` ${invocation.functionName} (${invocation.invocationId})` : '';
  process.stderr.write(`[${category}/${level}]${origin} ${message}\n`);
}

let installed: CoreShim | undefined;

function libraryAlreadyLoaded(): boolean {
  const marker = `${['node_modules', '@azure', 'functions'].join('/')}/`;
  return Object.keys(require.cache).some((file) => file.replace(/\\/g, '/').includes(marker));
}

/**
 * Makes `require('@azure/functions-core')` return our core API, as the Node worker does, so every `app.*`
 * registration, hook and `app.setup` reaches the embedded host. Must run before the library is first loaded:
 * the library caches "test mode" for the whole process.
 */
export function installCoreShim(): CoreShim {
  if (installed) return installed;
  if (libraryAlreadyLoaded()) {
    throw new Error(
      '@azure/functions was loaded before the core shim was installed; registrations cannot be captured. ' +
        'Install the shim first (node --require ./dist/test/preload.js, or import runtime/core-shim first).',
    );
  }
  const { shim, coreApi, noteLibrary } = createCoreShim();
  type RequireFn = (this: unknown, id: string) => unknown;
  const proto = Module.prototype as unknown as { require: RequireFn };
  proto.require = new Proxy(proto.require, {
    apply(target, thisArg, args: unknown[]) {
      if (args[0] === CORE_MODULE_ID) return coreApi;
      const exports = Reflect.apply(target, thisArg, args) as unknown;
      if (args[0] === LIBRARY_MODULE_ID) noteLibrary(exports);
      return exports;
    },
  });
  installed = shim;
  return shim;
}

/** The shim installed in this process, if any. */
export function getCoreShim(): CoreShim | undefined {
  return installed;
}
