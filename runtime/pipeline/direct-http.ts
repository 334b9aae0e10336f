/**
 * Buffered HTTP invocations without the RPC round trip.
 *
 * The Node worker turns the host's RPC message into the library's `HttpRequest` and `InvocationContext`,
 * and the handler's answer back into RPC, which the host then writes as HTTP. For a function whose only
 * bindings are its HTTP trigger and an HTTP `$return` (any v4 HTTP function without extra inputs or
 * outputs), this driver builds the same objects with the library's own classes, from the same request
 * data, and reads the answer straight from the library's `HttpResponse`: the handler sees the same
 * arguments, hooks and log rules run as in runtime/invoke.ts, and only the conversions are skipped (the
 * bench's profile put them at about a third of an invocation; docs/host-rules.md). Every other case
 * (extra bindings, stream mode, a programming model other than `@azure/functions`) goes through the
 * library's InvocationModel.
 */
import { format } from 'node:util';
import type { CoreShim, InvocationLogContext, RegisteredFunction } from '../core-shim';
import type {
  FunctionCallback,
  InvocationArguments,
  InvocationState,
  RpcBindingInfo,
  RpcHttpData,
  RpcLogLevel,
} from '../core-types';
import { runDriver, withDeadline, type InvocationDriver } from '../invoke';
import { bufferedRequest, fitsLibrary } from './buffered-request';
import { readAnswer, type HttpResponseClass } from './direct-answer';
import type { HttpResult } from './rpc-http';

/** The three classes of `@azure/functions` the driver builds, taken from the app's own copy. */
interface HttpLibrary {
  HttpRequest: new (init: RpcHttpData) => unknown;
  HttpResponse: HttpResponseClass;
  InvocationContext: new (init: Record<string, unknown>) => unknown;
}

interface BindingOptions {
  trigger: RpcBindingInfo & { name: string; type: string };
  return: RpcBindingInfo & { name: string; type: string };
}

/** What a function needs for the direct path, worked out once. */
export interface DirectPlan {
  library: HttpLibrary;
  bindings: BindingOptions;
  /** Whether request bodies may be handed over buffered (runtime/pipeline/buffered-request.ts). */
  bufferedBodies: boolean;
}

const RETURN_BINDING = '$return';
const plans = new WeakMap<RegisteredFunction, DirectPlan | null>();

function libraryOf(shim: CoreShim): HttpLibrary | undefined {
  if (shim.programmingModel?.name !== '@azure/functions') return undefined;
  const lib = shim.library as Partial<HttpLibrary> | undefined;
  if (
    typeof lib?.HttpRequest !== 'function' ||
    typeof lib.HttpResponse !== 'function' ||
    typeof lib.InvocationContext !== 'function'
  ) {
    return undefined;
  }
  return lib as HttpLibrary;
}

/** The direct plan for `fn`, or undefined when it must go through the library's InvocationModel. */
export function directPlanFor(shim: CoreShim, fn: RegisteredFunction): DirectPlan | undefined {
  const known = plans.get(fn);
  if (known !== undefined) return known ?? undefined;
  let plan: DirectPlan | null = null;
  const library = libraryOf(shim);
  const entries = Object.entries(fn.metadata.bindings);
  const trigger = entries.find(([, b]) => b.type?.toLowerCase() === 'httptrigger' && b.direction !== 'out');
  const output = fn.metadata.bindings[RETURN_BINDING];
  if (library && entries.length === 2 && trigger && output?.type?.toLowerCase() === 'http') {
    plan = {
      library,
      bindings: {
        trigger: { ...trigger[1], type: trigger[1].type ?? 'httpTrigger', name: trigger[0] },
        return: { ...output, type: output.type ?? 'http', name: RETURN_BINDING },
      },
      bufferedBodies: fitsLibrary(library.HttpRequest),
    };
  }
  plans.set(fn, plan);
  return plan ?? undefined;
}

/**
 * The request data with a `nativeRequest` that keeps the body's bytes (runtime/pipeline/buffered-request.ts),
 * for a request the library would give a body: any verb but GET and HEAD, the bytes the host read.
 */
function withBufferedBody(http: RpcHttpData): RpcHttpData {
  const bytes = http.body?.bytes;
  if (!bytes || !http.url || !http.method || !http.headers || http.nullableHeaders) return http;
  // The host's own buffer, read only from here on: a view, not a copy (the library would copy).
  const view = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const nativeRequest = bufferedRequest(http.url, http.method, http.headers, view);
  return nativeRequest ? ({ ...http, nativeRequest } as RpcHttpData) : http;
}

export interface DirectInvocation {
  invocationId: string;
  http: RpcHttpData;
  traceParent: string;
  traceState: string | undefined;
  timeoutMs: number | null;
}

const LATE_LOG =
  "Warning: Unexpected call to 'log' on the context object after function execution has completed. " +
  'Please check for asynchronous calls that are not awaited. ';

/** One invocation's driver (runtime/invoke.ts): a class, so an invocation allocates little. */
class DirectDriver implements InvocationDriver<HttpResult> {
  readonly logContext: InvocationLogContext;
  #state: InvocationState | undefined;
  #done = false;

  constructor(
    private readonly shim: CoreShim,
    private readonly plan: DirectPlan,
    private readonly invocation: DirectInvocation,
    functionName: string,
  ) {
    this.logContext = { functionName, invocationId: invocation.invocationId };
  }

  /** The library's log rules: a line after the function completed (outside postInvocation hooks) warns. */
  readonly logHandler = (level: RpcLogLevel, ...args: unknown[]): void => {
    const { shim, logContext } = this;
    if (this.#done && this.#state !== 'postInvocationHooks') {
      const where = `Function name: ${logContext.functionName}. Invocation Id: ${logContext.invocationId}.`;
      shim.log('warning', 'system', LATE_LOG + where, logContext);
    }
    // util.format leaves a lone string without `%` as it is: skip the call for the common line.
    const only = args.length === 1 ? args[0] : undefined;
    const message = typeof only === 'string' && !only.includes('%') ? only : format(...args);
    shim.log(level, 'user', message, logContext);
  };

  getArguments(): InvocationArguments {
    const { library, bindings } = this.plan;
    const { invocation } = this;
    // Key order as the library's converter builds it (a handler may serialise the object).
    const traceContext: Record<string, unknown> = { traceParent: invocation.traceParent };
    if (invocation.traceState !== undefined) traceContext.traceState = invocation.traceState;
    traceContext.attributes = {};
    const context = new library.InvocationContext({
      invocationId: invocation.invocationId,
      functionName: this.logContext.functionName,
      logHandler: this.logHandler,
      traceContext,
      // Fresh copies per invocation, as the library builds them.
      options: {
        trigger: { ...bindings.trigger },
        return: { ...bindings.return },
        extraInputs: [],
        extraOutputs: [],
      },
    });
    const http = this.plan.bufferedBodies ? withBufferedBody(invocation.http) : invocation.http;
    return { context, inputs: [new library.HttpRequest(http)] };
  }

  async invokeFunction(context: unknown, inputs: unknown[], callback: FunctionCallback): Promise<unknown> {
    try {
      return await callback(...inputs, context);
    } finally {
      this.#done = true;
    }
  }

  getResponse(_context: unknown, result: unknown): Promise<HttpResult> {
    return readAnswer(this.plan.library.HttpResponse, result);
  }

  setState(next: InvocationState | undefined): void {
    this.#state = next;
  }
}

/** Runs a planned HTTP function for one request; rejects with what the handler threw or FunctionTimeoutError. */
export function invokeDirect(
  shim: CoreShim,
  fn: RegisteredFunction,
  plan: DirectPlan,
  invocation: DirectInvocation,
): Promise<HttpResult> {
  const driver = new DirectDriver(shim, plan, invocation, fn.metadata.name);
  return withDeadline(
    runDriver(shim, fn, driver, driver.logContext),
    fn,
    invocation.invocationId,
    invocation.timeoutMs,
  );
}
