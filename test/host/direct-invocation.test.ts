/**
 * The direct HTTP path (runtime/pipeline/direct-http.ts) must be indistinguishable from driving the
 * library's InvocationModel with the RPC message: each case runs the same registered function through
 * both and compares what the handler saw, what came back, what was logged and what hooks observed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { app, HttpResponse, type HttpRequest, type InvocationContext } from '@azure/functions';
import { getCoreShim, type RegisteredFunction } from '../../runtime/core-shim';
import { invokeWithTimeout } from '../../runtime/invoke';
import { directPlanFor, invokeDirect } from '../../runtime/pipeline/direct-http';
import {
  fromRpcHttpResponse,
  httpInvocationRequest,
  toRpcHttpRequest,
  traceParentFor,
  type HttpResult,
} from '../../runtime/pipeline/rpc-http';

const seen: unknown[] = [];

async function describeCall(req: HttpRequest, ctx: InvocationContext): Promise<Record<string, unknown>> {
  return {
    method: req.method,
    url: req.url,
    headers: [...req.headers.entries()],
    query: [...req.query.entries()],
    params: { ...req.params },
    body: req.method === 'GET' ? null : await req.text(),
    user: req.user,
    invocationId: ctx.invocationId,
    functionName: ctx.functionName,
    traceContext: ctx.traceContext,
    retryContext: ctx.retryContext,
    triggerMetadata: ctx.triggerMetadata,
    options: ctx.options,
  };
}

app.http('echo', {
  route: 'echo/{id}/{rest?}',
  methods: ['GET', 'POST'],
  authLevel: 'anonymous',
  handler: async (req, ctx) => {
    const call = await describeCall(req, ctx);
    seen.push(call);
    ctx.log('echo', 42, { a: 1 });
    return {
      status: 201,
      jsonBody: call,
      headers: { 'x-one': '1', 'X-Two': 'two' },
      cookies: [
        { name: 's', value: 'v', path: '/', maxAge: 60, sameSite: 'None', secure: true, httpOnly: true },
        {
          name: 't',
          value: 'w',
          domain: 'example.test',
          expires: new Date(Date.UTC(2030, 0, 1)),
          sameSite: 'Lax',
        },
      ],
    };
  },
});
app.http('nothing', { methods: ['GET'], authLevel: 'anonymous', handler: () => undefined as never });
app.http('text', { methods: ['GET'], authLevel: 'anonymous', handler: () => 'not an object' as never });
app.http('throws', {
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: () => {
    throw new RangeError('handler failed');
  },
});
app.http('instance', {
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: () => new HttpResponse({ status: 418, body: new Uint8Array([1, 2, 3]) }),
});
app.http('late', {
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: (_req, ctx) => {
    setImmediate(() => ctx.warn('too late'));
    return { body: 'ok' };
  },
});
app.http('badcookie', {
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: () => ({ cookies: [{ name: 'n', value: 'v', secure: 'yes' as never }] }),
});
app.http('hooked', { methods: ['GET'], authLevel: 'anonymous', handler: () => ({ body: 'from handler' }) });

// Answers the direct path builds without the library's body stream, and their neighbours that must
// still take the library's whole path: both paths must write the same bytes or fail the same way.
const ANSWERS: Record<string, () => unknown> = {
  plain: () => ({ body: 'plain' }),
  typed: () => ({ body: '{"a":1}', headers: { 'Content-Type': 'application/json' } }),
  empty: () => ({ body: '' }),
  nullBody: () => ({ body: null, headers: { 'x-a': '1' } }),
  bare: () => ({}),
  unicode: () => ({ status: 201, body: 'é ünïcødé ✓' }),
  noContent: () => ({ status: 204, body: 'dropped by the library' }),
  stringStatus: () => ({ status: '202', body: 'status as text' }),
  badStatus: () => ({ status: 600, body: 'x' }),
  tuples: () => ({
    body: 'x',
    headers: [
      ['b', '1'],
      ['accept-ranges', 'none'],
      ['set-cookie', 'c=1'],
      ['set-cookie', 'd=2'],
      ['x-z', '3'],
    ],
  }),
  headersObject: () => ({ body: 'x', headers: new Headers({ date: 'today', 'x-b': '2' }) }),
  badHeader: () => ({ body: 'x', headers: { 'bad name': '1' } }),
  cookies: () => ({ body: 'x', cookies: [{ name: 'n', value: 'v', httpOnly: true }] }),
  both: () => ({ body: 'ignored', jsonBody: { a: 1 } }),
  json: () => ({ jsonBody: { a: [1, 2] } }),
  bytes: () => ({ body: new Uint8Array([1, 2]) }),
  inherited: () => Object.create({ body: 'from the prototype' }) as object,
  negotiation: () => ({ body: 'x', enableContentNegotiation: true }),
};
app.http('answer', {
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: (req) => ANSWERS[req.query.get('as') ?? '']?.() as never,
});

/** What a handler sees reading its body one way or another. */
async function readBody(req: HttpRequest, how: string): Promise<unknown> {
  const outcome = async (read: () => Promise<unknown>): Promise<unknown> => {
    try {
      return await read();
    } catch (err) {
      return `${(err as Error).name}: ${(err as Error).message}`;
    }
  };
  const first = req.bodyUsed;
  switch (how) {
    case 'text':
      return [first, await req.text(), req.bodyUsed];
    case 'json':
      return [await outcome(() => req.json()), req.bodyUsed];
    case 'arrayBuffer':
      return [...new Uint8Array(await req.arrayBuffer())];
    case 'blob': {
      const blob = await req.blob();
      return [blob.type, await blob.text(), req.bodyUsed];
    }
    case 'formData':
      return outcome(async () =>
        [...(await req.formData()).entries()].map(([k, v]) => [k, typeof v === 'string' ? v : v.name]),
      );
    case 'stream': {
      const reader = req.body?.getReader();
      const chunks: number[] = [];
      for (let r = await reader?.read(); r && !r.done; r = await reader?.read()) {
        chunks.push(...(r.value as Uint8Array));
      }
      return [chunks, req.bodyUsed];
    }
    case 'twice':
      return [await req.text(), await outcome(() => req.text()), await outcome(() => req.arrayBuffer())];
    case 'thenStream':
      return [
        await req.text(),
        req.body === null,
        req.body?.locked,
        req.bodyUsed,
        await outcome(() => req.blob()),
      ];
    case 'clone': {
      const copy = req.clone();
      return [await copy.text(), await req.text(), copy.bodyUsed, req.bodyUsed];
    }
    case 'cloneAfter':
      return [await req.text(), await outcome(async () => req.clone().text())];
    default:
      return 'unknown';
  }
}
app.http('reader', {
  methods: ['PUT', 'POST', 'DELETE'],
  authLevel: 'anonymous',
  handler: async (req) => ({ jsonBody: await readBody(req, req.query.get('how') ?? '') }),
});

const hookEvents: string[] = [];
app.hook.preInvocation((hook) => {
  if (hook.invocationContext.functionName !== 'hooked') return;
  hook.hookData.marker = 'pre';
  hookEvents.push(`pre ${typeof hook.inputs[0]}`);
  hook.functionHandler = () => ({ body: 'from replaced handler' });
});
app.hook.postInvocation((hook) => {
  if (hook.invocationContext.functionName !== 'hooked') return;
  hookEvents.push(`post ${String(hook.hookData.marker)} ${JSON.stringify(hook.result)}`);
  hook.result = { body: 'from post hook', headers: { 'x-post': 'yes' } };
});

interface Outcome {
  result?: HttpResult;
  error?: string;
  logs: string[];
}

function fnNamed(name: string): RegisteredFunction {
  const fn = getCoreShim()?.functions.find((f) => f.metadata.name === name);
  assert.ok(fn, `function ${name} registered`);
  return fn;
}

async function settleLogs(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve));
}

async function run(
  name: string,
  how: 'direct' | 'model',
  request: {
    method: string;
    url: string;
    headers?: string[];
    body?: string;
    params?: Record<string, string>;
  },
): Promise<Outcome> {
  const shim = getCoreShim();
  assert.ok(shim);
  const fn = fnNamed(name);
  const logs: string[] = [];
  shim.setLogSink((level, category, message, invocation) => {
    logs.push(`${level}/${category} ${invocation?.functionName ?? '-'} ${message}`);
  });
  const rpc = toRpcHttpRequest({
    method: request.method,
    url: new URL(request.url),
    rawHeaders: request.headers ?? [],
    body: Buffer.from(request.body ?? ''),
    params: request.params ?? {},
  });
  const invocationId = `id-${name}`;
  const outcome: Outcome = { logs };
  try {
    if (how === 'direct') {
      const plan = directPlanFor(shim, fn);
      assert.ok(plan, `${name} qualifies for the direct path`);
      outcome.result = await invokeDirect(shim, fn, plan, {
        invocationId,
        http: rpc.http,
        traceParent: traceParentFor(rpc.headers),
        traceState: rpc.headers.tracestate,
        timeoutMs: null,
      });
    } else {
      const rpcRequest = { ...httpInvocationRequest(fn, rpc), invocationId };
      outcome.result = fromRpcHttpResponse(await invokeWithTimeout(shim, fn, rpcRequest, null));
    }
  } catch (err) {
    outcome.error = `${(err as Error).name}: ${(err as Error).message}`;
  }
  await settleLogs();
  shim.setLogSink(undefined);
  return outcome;
}

async function both(
  name: string,
  request: Parameters<typeof run>[2],
): Promise<{ direct: Outcome; model: Outcome }> {
  const direct = await run(name, 'direct', request);
  const model = await run(name, 'model', request);
  assert.deepEqual(direct, model);
  return { direct, model };
}

describe('direct HTTP invocation matches the InvocationModel path', () => {
  it('gives the handler the same request and context, and returns the same answer', async () => {
    seen.length = 0;
    const { direct } = await both('echo', {
      method: 'POST',
      url: 'http://127.0.0.1:7071/api/echo/7?x=1&x=2&y=',
      headers: [
        'Content-Type',
        'text/plain',
        'X-Repeat',
        'a',
        'X-Repeat',
        'b',
        'traceparent',
        '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
        'tracestate',
        'k=v',
      ],
      body: 'hello',
      params: { id: '7' },
    });
    assert.equal(seen.length, 2);
    assert.deepEqual(seen[0], seen[1]);
    const call = seen[0] as Record<string, unknown>;
    assert.equal(call.body, 'hello');
    assert.deepEqual(call.params, { id: '7' });
    assert.deepEqual(call.query, [
      ['x', '1,2'],
      ['y', ''],
    ]);
    assert.deepEqual(call.traceContext, {
      traceParent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      traceState: 'k=v',
      attributes: {},
    });
    assert.equal(direct.result?.status, 201);
    assert.equal(direct.result?.cookies.length, 2);
    assert.ok(direct.logs.some((line) => line === 'information/user echo echo 42 { a: 1 }'));
  });

  it('answers 204 for no result, and an HttpResponse instance as it is', async () => {
    const { direct } = await both('nothing', { method: 'GET', url: 'http://h/api/nothing' });
    assert.equal(direct.result?.status, 204);
    const instance = await both('instance', { method: 'GET', url: 'http://h/api/instance' });
    assert.equal(instance.direct.result?.status, 418);
    assert.deepEqual([...(instance.direct.result?.body ?? [])], [1, 2, 3]);
  });

  it('rejects what the handler threw and a non-object result alike', async () => {
    const thrown = await both('throws', { method: 'GET', url: 'http://h/api/throws' });
    assert.equal(thrown.direct.error, 'RangeError: handler failed');
    const text = await both('text', { method: 'GET', url: 'http://h/api/text' });
    assert.match(text.direct.error ?? '', /must be an object/);
    const cookie = await both('badcookie', { method: 'GET', url: 'http://h/api/badcookie' });
    assert.match(cookie.direct.error ?? '', /'boolean' type was expected.*cookie\.secure/);
  });

  it('warns about a log call after the function completed', async () => {
    const { direct } = await both('late', { method: 'GET', url: 'http://h/api/late' });
    assert.ok(direct.logs.some((line) => line.startsWith('warning/system late Warning: Unexpected call')));
    assert.ok(direct.logs.some((line) => line === 'warning/user late too late'));
  });

  it('runs pre- and postInvocation hooks that replace the handler and the result', async () => {
    hookEvents.length = 0;
    const { direct } = await both('hooked', { method: 'GET', url: 'http://h/api/hooked' });
    assert.equal(direct.result?.body.toString(), 'from post hook');
    assert.deepEqual(direct.result?.headers, [
      ['content-type', 'text/plain;charset=UTF-8'],
      ['x-post', 'yes'],
    ]);
    assert.deepEqual(hookEvents, [
      'pre object',
      'post pre {"body":"from replaced handler"}',
      'pre object',
      'post pre {"body":"from replaced handler"}',
    ]);
  });

  it('writes text answers as the library does, without the body stream, and fails alike', async () => {
    for (const as of Object.keys(ANSWERS)) {
      const { direct } = await both('answer', { method: 'GET', url: `http://h/api/answer?as=${as}` });
      assert.ok(direct.result ?? direct.error, as);
    }
    const plain = await run('answer', 'direct', { method: 'GET', url: 'http://h/api/answer?as=plain' });
    assert.deepEqual(plain.result?.headers, [['content-type', 'text/plain;charset=UTF-8']]);
    const tuples = await run('answer', 'direct', { method: 'GET', url: 'http://h/api/answer?as=tuples' });
    assert.deepEqual(
      tuples.result?.headers.map(([name]) => name),
      ['accept-ranges', 'b', 'content-type', 'set-cookie', 'x-z'],
    );
    const dropped = await run('answer', 'direct', { method: 'GET', url: 'http://h/api/answer?as=noContent' });
    assert.equal(dropped.result?.body.length, 0);
    const bad = await run('answer', 'direct', { method: 'GET', url: 'http://h/api/answer?as=badStatus' });
    assert.match(bad.error ?? '', /^RangeError/);
  });

  it('gives the handler a body that reads the same every way, also after it was read', async () => {
    const cases: [string, string, string[]?][] = [
      ['text', '\uFEFFwith a BOM é'],
      ['text', ''],
      ['json', '{"a":[1,"é"]}'],
      ['json', '{"a":'],
      ['arrayBuffer', 'bytes \u00ff'],
      ['blob', 'typed', ['Content-Type', 'Text/Plain; charset=UTF-8']],
      ['formData', 'a=1&b=%C3%A9', ['Content-Type', 'application/x-www-form-urlencoded']],
      ['formData', 'not a form', ['Content-Type', 'text/plain']],
      ['stream', 'streamed'],
      ['twice', 'once'],
      ['thenStream', 'read first'],
      ['clone', 'cloned'],
      ['cloneAfter', 'too late'],
    ];
    for (const [how, body, headers] of cases) {
      for (const method of ['PUT', 'POST', 'DELETE']) {
        const { direct } = await both('reader', {
          method,
          url: `http://h/api/reader?how=${how}`,
          body,
          ...(headers ? { headers } : {}),
        });
        assert.equal(direct.result?.status, 200, `${how} ${method}`);
      }
    }
    const text = await run('reader', 'direct', {
      method: 'PUT',
      url: 'http://h/api/reader?how=text',
      body: 'hé',
    });
    assert.deepEqual(JSON.parse(text.result?.body.toString() ?? ''), [false, 'hé', true]);
    const twice = await run('reader', 'direct', {
      method: 'PUT',
      url: 'http://h/api/reader?how=twice',
      body: 'x',
    });
    assert.match(twice.result?.body.toString() ?? '', /TypeError/);
  });

  it('keeps functions with extra bindings on the InvocationModel path', () => {
    const shim = getCoreShim();
    assert.ok(shim);
    const plain = fnNamed('nothing');
    const extra: RegisteredFunction = {
      ...plain,
      metadata: {
        ...plain.metadata,
        bindings: { ...plain.metadata.bindings, queueOut: { type: 'queue', direction: 'out' } },
      },
    };
    assert.ok(directPlanFor(shim, plain));
    assert.equal(directPlanFor(shim, extra), undefined);
  });
});
