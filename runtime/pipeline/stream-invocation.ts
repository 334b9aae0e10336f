/**
 * An HTTP invocation of a streaming app (`app.setup({ enableHttpStream: true })`): the RPC request carries
 * headers and route params in trigger metadata and no body; the library takes the real request (and
 * answers it) over the proxied connection opened by StreamProxy.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RegisteredFunction } from '../core-shim';
import { invokeWithTimeout } from '../invoke';
import type { PipelineContext } from './context';
import { HttpInvocationLog } from './invocation-log';
import { httpInvocationRequest, toRpcHttpRequest, type HttpRequestFacts } from './rpc-http';
import { StreamProxy } from './stream-proxy';

const RETURN_BINDING = '$return';

interface OutputsReader {
  extraOutputs?: { get(name: string): unknown };
}

function isHttpOutput(binding: { type?: string; direction?: string } | undefined): boolean {
  return binding?.direction === 'out' && binding.type?.toLowerCase() === 'http';
}

/**
 * In stream mode the library answers only when an HTTP output has a value; a handler that returned
 * nothing would leave the proxied request hanging. Like buffered mode, that becomes an empty 204,
 * sent by the library itself so it releases the proxied request. `answers` is false only for a
 * function without any HTTP output to carry that 204: the host then answers.
 */
export function ensureHttpAnswer(
  fn: RegisteredFunction,
  result: unknown,
  context: unknown,
): { result: unknown; answers: boolean } {
  const bindings = fn.metadata.bindings;
  const returnsHttp = isHttpOutput(bindings[RETURN_BINDING]);
  if (returnsHttp && result !== null && result !== undefined) return { result, answers: true };
  const outputs = (context as OutputsReader | null)?.extraOutputs;
  const extraAnswer = Object.entries(bindings).some(
    ([name, binding]) =>
      name !== RETURN_BINDING &&
      isHttpOutput(binding) &&
      outputs?.get(name) !== undefined &&
      outputs.get(name) !== null,
  );
  if (extraAnswer) return { result, answers: true };
  if (returnsHttp) return { result: { status: 204 }, answers: true };
  return { result, answers: false };
}

/** A route value the URL did not supply is absent in stream mode (the real host leaves it out). */
function presentParams(params: Record<string, string | undefined>): Record<string, string> {
  const present: Record<string, string> = {};
  for (const [name, value] of Object.entries(params)) if (value) present[name] = value;
  return present;
}

export async function invokeStreamedHttpFunction(
  ctx: PipelineContext,
  fn: RegisteredFunction,
  req: IncomingMessage,
  res: ServerResponse,
  facts: Omit<HttpRequestFacts, 'body'>,
  target: URL,
): Promise<void> {
  const rpc = toRpcHttpRequest(
    { ...facts, params: presentParams(facts.params), body: Buffer.alloc(0) },
    true,
  );
  // The body travels over the proxied connection only.
  rpc.http.body = null;
  const request = httpInvocationRequest(fn, rpc);
  const invocationLog = new HttpInvocationLog(
    ctx.log,
    ctx.settings.logLevels,
    fn.metadata.name,
    request.invocationId,
  );

  let markDelivered: () => void = () => undefined;
  const delivered = new Promise<void>((resolve) => (markDelivered = resolve));
  const proxy = new StreamProxy({
    target,
    invocationId: request.invocationId,
    method: facts.method,
    url: facts.url,
    headers: rpc.headers,
    bodyLimit: ctx.settings.bodyLimitBytes,
    req,
    res,
    delivered,
    report: (message) => invocationLog.problem(message),
  });

  let libraryAnswers = true;
  try {
    await invokeWithTimeout(ctx.shim, fn, request, ctx.settings.functionTimeoutMs, {
      argumentsReady: markDelivered,
      finalResult: (result, context) => {
        const outcome = ensureHttpAnswer(fn, result, context);
        libraryAnswers = outcome.answers;
        return outcome.result;
      },
    });
    invocationLog.succeeded();
    // Otherwise the library has already ended its answer, which StreamProxy is relaying.
    if (!libraryAnswers) proxy.answer(204);
  } catch (err) {
    invocationLog.failed(err);
    proxy.answer(500);
  } finally {
    markDelivered();
  }
  await proxy.closed;
}
