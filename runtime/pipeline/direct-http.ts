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
  RpcHttpCookie,
  RpcHttpData,
  RpcLogLevel,
} from '../core-types';
import { runDriver, withDeadline, type InvocationDriver } from '../invoke';
import { cookieToHeader, type HttpResult } from './rpc-http';

interface LibraryHttpResponse {
  readonly status: number;
  readonly headers: { entries(): IterableIterator<[string, string]> };
  readonly cookies: LibraryCookie[];
  arrayBuffer(): Promise<ArrayBuffer>;
}

interface LibraryCookie {
  name?: unknown;
  value?: unknown;
  domain?: unknown;
  path?: unknown;
  expires?: unknown;
  secure?: unknown;
  httpOnly?: unknown;
  sameSite?: unknown;
  maxAge?: unknown;
}

/** The three classes of `@azure/functions` the driver builds, taken from the app's own copy. */
interface HttpLibrary {
  HttpRequest: new (init: RpcHttpData) => unknown;
  HttpResponse: new (init: object) => LibraryHttpResponse;
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
    };
  }
  plans.set(fn, plan);
  return plan ?? undefined;
}

/** The library's cookie conversion (toRpcHttpCookie), with its type checks and messages. */
function rpcCookie(cookie: LibraryCookie): RpcHttpCookie {
  const fail = (expected: string, value: unknown, name: string): never => {
    throw new Error(
      `A '${expected}' type was expected instead of a '${typeof value}' type. Cannot parse value of '${name}'.`,
    );
  };
  const text = (value: unknown, name: string): string | undefined => {
    if (typeof value === 'string') return value;
    return value === null || value === undefined ? undefined : fail('string', value, name);
  };
  const flag = (value: unknown, name: string): { value: boolean } | undefined => {
    if (typeof value === 'boolean') return { value };
    return value === null || value === undefined ? undefined : fail('boolean', value, name);
  };
  let maxAge: { value: number } | undefined;
  if (typeof cookie.maxAge === 'number') maxAge = { value: cookie.maxAge };
  else if (typeof cookie.maxAge === 'string' && !Number.isNaN(Number(cookie.maxAge))) {
    maxAge = { value: Number.parseFloat(cookie.maxAge) };
  } else if (cookie.maxAge !== null && cookie.maxAge !== undefined)
    fail('number', cookie.maxAge, 'cookie.maxAge');
  let expires: { value: { seconds: number } } | undefined;
  if (cookie.expires !== null && cookie.expires !== undefined) {
    const ms = typeof cookie.expires === 'number' ? cookie.expires : (cookie.expires as Date).getTime?.();
    if (typeof ms !== 'number') {
      throw new Error(
        `A 'number' or 'Date' input was expected instead of a '${typeof cookie.expires}'. Cannot parse value of 'cookie.expires'.`,
      );
    }
    if (ms && ms >= 0) expires = { value: { seconds: Math.round(ms / 1000) } };
  }
  const sameSite = typeof cookie.sameSite === 'string' ? cookie.sameSite.toLocaleLowerCase() : '';
  const domain = text(cookie.domain, 'cookie.domain');
  const path = text(cookie.path, 'cookie.path');
  return {
    name: text(cookie.name, 'cookie.name') ?? '',
    value: text(cookie.value, 'cookie.value') ?? '',
    domain: domain === undefined ? null : { value: domain },
    path: path === undefined ? null : { value: path },
    expires: expires ?? null,
    secure: flag(cookie.secure, 'cookie.secure') ?? null,
    httpOnly: flag(cookie.httpOnly, 'cookie.httpOnly') ?? null,
    sameSite:
      sameSite === 'lax'
        ? 'lax'
        : sameSite === 'strict'
          ? 'strict'
          : sameSite === 'none'
            ? 'explicitNone'
            : 'none',
    maxAge: maxAge ?? null,
  };
}

const NO_COOKIES: readonly string[] = Object.freeze([]);
const NO_CONTENT: HttpResult = Object.freeze({
  status: 204,
  headers: [],
  cookies: [],
  body: Buffer.alloc(0),
});

/** The handler's answer as the host writes it; the library's rules for what an answer may be. */
async function readAnswer(library: HttpLibrary, result: unknown): Promise<HttpResult> {
  if (result === null || result === undefined) return NO_CONTENT;
  if (typeof result !== 'object') {
    throw new Error(
      'The HTTP response must be an object with optional properties "body", "status", "headers", and "cookies".',
    );
  }
  const response = result instanceof library.HttpResponse ? result : new library.HttpResponse(result);
  // One value per name, the last one winning, as the RPC record the worker builds keeps them. Only
  // set-cookie can come more than once (Headers joins every other name).
  const headers: [string, string][] = [];
  let setCookieAt = -1;
  for (const [name, value] of response.headers.entries()) {
    if (name !== 'set-cookie') headers.push([name, value]);
    else if (setCookieAt < 0) setCookieAt = headers.push([name, value]) - 1;
    else headers[setCookieAt] = [name, value];
  }
  const cookies =
    response.cookies.length === 0 ? NO_COOKIES : response.cookies.map((c) => cookieToHeader(rpcCookie(c)));
  const body = Buffer.from(await response.arrayBuffer());
  return { status: response.status, headers, cookies, body };
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
    return { context, inputs: [new library.HttpRequest(invocation.http)] };
  }

  async invokeFunction(context: unknown, inputs: unknown[], callback: FunctionCallback): Promise<unknown> {
    try {
      return await callback(...inputs, context);
    } finally {
      this.#done = true;
    }
  }

  getResponse(_context: unknown, result: unknown): Promise<HttpResult> {
    return readAnswer(this.plan.library, result);
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
