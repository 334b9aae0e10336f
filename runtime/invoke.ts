import { randomUUID } from 'node:crypto';
import type { CoreShim, InvocationLogContext, RegisteredFunction } from './core-shim';
import type {
  CoreInvocationContext,
  FunctionCallback,
  HookContext,
  InvocationArguments,
  InvocationState,
  RpcBindingInfo,
  RpcInvocationRequest,
  RpcInvocationResponse,
  RpcLogCategory,
  RpcLogLevel,
  RpcParameterBinding,
  RpcTypedData,
} from './core-types';

/** Raised when an invocation outlives host.json `functionTimeout`. */
export class FunctionTimeoutError extends Error {
  constructor(
    readonly functionName: string,
    readonly invocationId: string,
    readonly timeoutMs: number,
  ) {
    super(`Timeout value of ${formatTimeSpan(timeoutMs)} was exceeded by function: ${functionName}`);
    this.name = 'FunctionTimeoutError';
  }
}

export function formatTimeSpan(ms: number): string {
  const totalSeconds = Math.floor(ms / 1000);
  const pad = (n: number): string => String(n).padStart(2, '0');
  const base = `${pad(Math.floor(totalSeconds / 3600))}:${pad(Math.floor(totalSeconds / 60) % 60)}:${pad(totalSeconds % 60)}`;
  return ms % 1000 ? `${base}.${String(ms % 1000).padStart(3, '0')}` : base;
}

const triggers = new WeakMap<RegisteredFunction, { name: string; binding: RpcBindingInfo }>();

/** The trigger binding (name + info) of a registered function (found once per function). */
export function triggerBinding(fn: RegisteredFunction): { name: string; binding: RpcBindingInfo } {
  const known = triggers.get(fn);
  if (known) return known;
  for (const [name, binding] of Object.entries(fn.metadata.bindings)) {
    if (binding.direction !== 'out' && typeof binding.type === 'string' && /trigger$/i.test(binding.type)) {
      triggers.set(fn, { name, binding });
      return { name, binding };
    }
  }
  throw new Error(`Function "${fn.metadata.name}" has no trigger binding`);
}

export interface InvocationInput {
  invocationId?: string;
  triggerData: RpcTypedData;
  triggerMetadata?: Record<string, RpcTypedData>;
  traceParent?: string;
  traceState?: string;
}

export function buildInvocationRequest(fn: RegisteredFunction, input: InvocationInput): RpcInvocationRequest {
  const trigger = triggerBinding(fn);
  const inputData: RpcParameterBinding[] = [{ name: trigger.name, data: input.triggerData }];
  return {
    invocationId: input.invocationId ?? randomUUID(),
    functionId: fn.metadata.functionId || fn.metadata.name,
    inputData,
    triggerMetadata: input.triggerMetadata ?? {},
    traceContext: {
      traceParent: input.traceParent ?? null,
      traceState: input.traceState ?? null,
      attributes: {},
    },
    retryContext: null,
  };
}

/** Timer input as the host serialises it (PascalCase JSON); the library camel-cases it for the handler. */
export function timerTriggerData(info: {
  isPastDue: boolean;
  adjustForDST?: boolean;
  scheduleStatus?: { last: string; next: string; lastUpdated: string } | undefined;
}): RpcTypedData {
  const payload: Record<string, unknown> = {
    Schedule: { AdjustForDST: info.adjustForDST ?? true },
    IsPastDue: info.isPastDue,
  };
  if (info.scheduleStatus) {
    payload.ScheduleStatus = {
      Last: info.scheduleStatus.last,
      Next: info.scheduleStatus.next,
      LastUpdated: info.scheduleStatus.lastUpdated,
    };
  }
  return { json: JSON.stringify(payload) };
}

/** Observers for a streamed HTTP invocation (runtime/pipeline/stream-invocation.ts); other callers pass none. */
export interface InvocationObserver {
  /** The library produced the handler's arguments; in stream mode it has taken the proxied request. */
  argumentsReady?: () => void;
  /** Replaces the final result (after postInvocation hooks) before the library converts it. */
  finalResult?: (result: unknown, context: unknown) => unknown;
}

/**
 * The worker's three steps for one invocation (arguments, handler, response) plus the state the library
 * reads while logging. The library's InvocationModel is one driver; runtime/direct-http.ts is another,
 * for buffered HTTP functions, that skips the RPC conversions.
 */
export interface InvocationDriver<R> {
  getArguments(): Promise<InvocationArguments> | InvocationArguments;
  invokeFunction(context: unknown, inputs: unknown[], callback: FunctionCallback): Promise<unknown>;
  getResponse(context: unknown, result: unknown): Promise<R>;
  setState(state: InvocationState | undefined): void;
}

const NO_OBSERVER: InvocationObserver = Object.freeze({});

/** Runs `step` with the driver in `state` (the library's late-log warning reads it), then clears it. */
async function inState<T>(
  driver: InvocationDriver<unknown>,
  state: InvocationState,
  step: () => Promise<T>,
): Promise<T> {
  driver.setState(state);
  try {
    return await step();
  } finally {
    driver.setState(undefined);
  }
}

/**
 * Runs one invocation exactly like the Node worker: arguments → preInvocation hooks → handler →
 * postInvocation hooks → response. Handler errors are rethrown.
 */
export async function runDriver<R>(
  shim: CoreShim,
  fn: RegisteredFunction,
  driver: InvocationDriver<R>,
  logContext: InvocationLogContext,
  observer: InvocationObserver = NO_OBSERVER,
): Promise<R> {
  const pending = driver.getArguments();
  // A driver that builds its arguments synchronously saves a turn of the microtask queue.
  const args = pending instanceof Promise ? await pending : pending;
  observer.argumentsReady?.();
  const context = args.context;
  if (shim.hookCount('preInvocation') + shim.hookCount('postInvocation') + shim.hookCount('log') === 0) {
    // No hooks (the usual case): nothing to build for them.
    const result = await inState(driver, 'invocation', () =>
      driver.invokeFunction(context, args.inputs, fn.callback),
    );
    return driver.getResponse(context, observer.finalResult ? observer.finalResult(result, context) : result);
  }
  const hookData: Record<string, unknown> = {};
  logContext.hookData = hookData;
  logContext.invocationContext = context;

  let inputs = args.inputs;
  let callback = fn.callback;
  if (shim.hookCount('preInvocation') > 0) {
    const preContext: HookContext = {
      hookData,
      appHookData: shim.appHookData,
      invocationContext: context,
      functionCallback: fn.callback,
      inputs: args.inputs,
    };
    await inState(driver, 'preInvocationHooks', () => shim.runHooks('preInvocation', preContext));
    inputs = preContext.inputs as unknown[];
    callback = preContext.functionCallback as FunctionCallback;
  }

  const postContext: HookContext = {
    hookData,
    appHookData: shim.appHookData,
    invocationContext: context,
    inputs,
    result: null,
    error: null,
  };
  try {
    postContext.result = await inState(driver, 'invocation', () =>
      driver.invokeFunction(context, inputs, callback),
    );
  } catch (err) {
    postContext.error = err;
  }
  if (shim.hookCount('postInvocation') > 0) {
    await inState(driver, 'postInvocationHooks', () => shim.runHooks('postInvocation', postContext));
  }
  if (postContext.error !== null && postContext.error !== undefined) {
    // Rethrow exactly what the handler (or a hook) threw, as the worker does.
    // eslint-disable-next-line @typescript-eslint/only-throw-error
    throw postContext.error;
  }
  const result = observer.finalResult
    ? observer.finalResult(postContext.result, context)
    : postContext.result;
  return driver.getResponse(context, result);
}

/** Drives the captured programming model's InvocationModel with an RPC request, as the Node worker does. */
async function runInvocation(
  shim: CoreShim,
  fn: RegisteredFunction,
  request: RpcInvocationRequest,
  observer: InvocationObserver,
): Promise<RpcInvocationResponse> {
  const model = shim.programmingModel;
  if (!model) throw new Error('No programming model was registered');
  const name = fn.metadata.name;
  const logContext: InvocationLogContext = { functionName: name, invocationId: request.invocationId };
  const coreCtx: CoreInvocationContext = {
    invocationId: request.invocationId,
    request,
    metadata: { name, bindings: fn.metadata.bindings },
    state: undefined as InvocationState | undefined,
    log(level: RpcLogLevel, category: RpcLogCategory, message: string) {
      shim.log(level, category, message, logContext);
    },
  };
  const invocationModel = await model.getInvocationModel(coreCtx);
  const driver: InvocationDriver<RpcInvocationResponse> = {
    getArguments: () => invocationModel.getArguments(),
    invokeFunction: (context, inputs, callback) => invocationModel.invokeFunction(context, inputs, callback),
    getResponse: (context, result) => invocationModel.getResponse(context, result),
    setState(state) {
      coreCtx.state = state;
    },
  };
  return runDriver(shim, fn, driver, logContext, observer);
}

interface Deadline {
  at: number;
  expire(): void;
}

/**
 * Deadlines of running invocations, checked by one timer per timeout value instead of a timer (and a
 * promise race) per invocation. The check runs every tenth of the timeout (10 ms to 1 s), so an expiry
 * is reported at most that much late.
 */
class DeadlineWatch {
  readonly #pending = new Set<Deadline>();
  #timer: NodeJS.Timeout | undefined;
  readonly #periodMs: number;

  constructor(timeoutMs: number) {
    this.#periodMs = Math.min(1000, Math.max(10, Math.floor(timeoutMs / 10)));
  }

  add(deadline: Deadline): void {
    this.#pending.add(deadline);
    if (!this.#timer) {
      this.#timer = setInterval(() => this.#sweep(), this.#periodMs);
      this.#timer.unref();
    }
  }

  delete(deadline: Deadline): void {
    this.#pending.delete(deadline);
  }

  #sweep(): void {
    // Stopped only here, when a whole period passed with nothing running: not once per invocation.
    if (this.#pending.size === 0 && this.#timer) {
      clearInterval(this.#timer);
      this.#timer = undefined;
      return;
    }
    const now = Date.now();
    for (const deadline of this.#pending) {
      if (deadline.at > now) continue;
      this.delete(deadline);
      deadline.expire();
    }
  }
}

const watches = new Map<number, DeadlineWatch>();

function watchFor(timeoutMs: number): DeadlineWatch {
  let watch = watches.get(timeoutMs);
  if (!watch) {
    watch = new DeadlineWatch(timeoutMs);
    watches.set(timeoutMs, watch);
  }
  return watch;
}

/**
 * Runs one invocation with `functionTimeout` (null = unbounded). On timeout the caller gets a
 * FunctionTimeoutError; the handler itself keeps running (v4 handlers get no cancellation signal).
 */
export function invokeWithTimeout(
  shim: CoreShim,
  fn: RegisteredFunction,
  request: RpcInvocationRequest,
  timeoutMs: number | null,
  observer: InvocationObserver = {},
): Promise<RpcInvocationResponse> {
  return withDeadline(runInvocation(shim, fn, request, observer), fn, request.invocationId, timeoutMs);
}

/** Settles like `run`, or rejects with FunctionTimeoutError once `timeoutMs` (null = never) passed. */
export function withDeadline<T>(
  run: Promise<T>,
  fn: RegisteredFunction,
  invocationId: string,
  timeoutMs: number | null,
): Promise<T> {
  if (timeoutMs === null) return run;
  const watch = watchFor(timeoutMs);
  return new Promise((resolve, reject) => {
    const deadline: Deadline = {
      at: Date.now() + timeoutMs,
      expire: () => reject(new FunctionTimeoutError(fn.metadata.name, invocationId, timeoutMs)),
    };
    watch.add(deadline);
    // A late result or failure of an abandoned handler settles nothing (the promise is already rejected).
    run.then(
      (response) => {
        watch.delete(deadline);
        resolve(response);
      },
      (err: unknown) => {
        watch.delete(deadline);
        // Exactly what the handler threw, as the worker passes it on.
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
        reject(err);
      },
    );
  });
}
