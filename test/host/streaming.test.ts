/**
 * HTTP streaming (`app.setup({ enableHttpStream: true })`): requests are proxied to the library's own
 * listener and its answer is piped back. Registrations are process-wide, so the streaming app has
 * this file (its own test process) to itself.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import { after, afterEach, before, describe, it, type TestContext } from 'node:test';
import { announced, openGate, resetSignals, signals } from '../fixtures/stream-app/lib/signals';
import type { FixtureHost } from './fixture-host';
import { call, json } from './http-client';
import { startStreamHost } from './stream-fixture';

const BODY_LIMIT = 8 * 1024 * 1024;

/** A request whose body the test writes piece by piece; `response` settles with the head. */
function openRequest(
  url: string,
  opts: { method?: string; headers?: Record<string, string> } = {},
): { req: http.ClientRequest; response: Promise<http.IncomingMessage> } {
  const req = http.request(url, { method: opts.method ?? 'GET', headers: opts.headers, agent: false });
  req.setTimeout(15_000, () => req.destroy(new Error(`request to ${url} timed out`)));
  const response = new Promise<http.IncomingMessage>((resolve, reject) => {
    req.once('response', resolve);
    req.once('error', reject);
  });
  return { req, response };
}

/** Collects a response body from the start, so no chunk is missed between waits. */
class BodyReader {
  readonly chunks: Buffer[] = [];
  /** The whole body, or a rejection when the connection breaks before the end. */
  readonly complete: Promise<Buffer>;
  readonly #arrivals = new EventEmitter();

  constructor(res: http.IncomingMessage) {
    res.on('data', (chunk: Buffer) => {
      this.chunks.push(chunk);
      this.#arrivals.emit('data');
    });
    this.complete = new Promise((resolve, reject) => {
      res.once('end', () => resolve(Buffer.concat(this.chunks)));
      res.once('error', reject);
      res.once('close', () => {
        if (!res.complete) reject(new Error('the response was cut off'));
      });
    });
    // Tests that expect a cut-off await `complete` themselves.
    this.complete.catch(() => undefined);
  }

  get text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }

  /** Resolves with everything read so far once `text` has arrived (bounded). */
  async waitFor(text: string): Promise<string> {
    const signal = AbortSignal.timeout(5000);
    while (!this.text.includes(text)) await once(this.#arrivals, 'data', { signal });
    return this.text;
  }
}

let fx: FixtureHost;
let functionKey: string;

before(async () => {
  fx = await startStreamHost({
    settings: { FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: String(BODY_LIMIT) },
    hostJson: { extensions: { http: { maxConcurrentRequests: 4, maxOutstandingRequests: 4 } } },
  });
  functionKey = fx.host.keys.default ?? '';
});

after(async () => {
  resetSignals();
  await fx?.host.close();
});

afterEach(() => resetSignals());

describe('streaming start-up', () => {
  it('starts the library listener on loopback instead of refusing the app', async () => {
    const line = await fx.logs.waitFor((l) => l.includes('HTTP streaming enabled'));
    const uri = new URL(/listener at (\S+)/.exec(line)?.[1] ?? '');
    assert.equal(uri.hostname, 'localhost');
    assert.ok(Number(uri.port) > 0);
    assert.ok(fx.host.registrations.some((r) => r.name === 'echo'));
  });
});

describe('streamed request and response bodies', () => {
  it('echoes a 100 kB POST body back, streamed both ways', async () => {
    const body = randomBytes(100 * 1024);
    const { req, response } = openRequest(`${fx.url}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-test', 'x-functions-key': functionKey },
    });
    for (let offset = 0; offset < body.length; offset += 16 * 1024) {
      req.write(body.subarray(offset, offset + 16 * 1024));
    }
    req.end();
    const res = await response;
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'application/x-test');
    assert.equal(res.headers['transfer-encoding'], 'chunked', 'the answer is streamed, not buffered');
    assert.equal(res.headers['x-ms-invocation-id'], undefined, 'the proxy header stays internal');
    assert.equal(res.headers['x-content-type-options'], 'nosniff', 'customHeaders still apply');
    const echoed = await new BodyReader(res).complete;
    assert.equal(echoed.length, body.length);
    assert.ok(echoed.equals(body), 'the echoed bytes are identical');
  });

  it('hands the function the body while the client is still sending it', async () => {
    const half = 50 * 1024;
    const { req, response } = openRequest(`${fx.url}/upload?half=${half}`, { method: 'POST' });
    req.write(randomBytes(half));
    // A buffering host would not run the handler before the body is complete.
    await announced('upload-half');
    req.end(randomBytes(half));
    const res = await response;
    assert.equal(res.statusCode, 200);
    assert.deepEqual(JSON.parse((await new BodyReader(res).complete).toString('utf8')), {
      received: 2 * half,
    });
  });

  it('delivers response chunks as the function produces them', async () => {
    const { req, response } = openRequest(`${fx.url}/chunks`);
    req.end();
    const res = await response;
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['x-from-function'], 'chunks');
    const body = new BodyReader(res);
    assert.equal(await body.waitFor('first;'), 'first;', 'the first chunk arrived on its own');
    assert.ok(signals.announced.has('chunk-2'), 'the function is still holding the second chunk');
    openGate('chunk-2');
    assert.equal(await body.waitFor('second;'), 'first;second;');
    openGate('chunk-3');
    assert.equal((await body.complete).toString('utf8'), 'first;second;third;');
  });

  it('cuts the client connection off when the function stream breaks mid-answer', async () => {
    const { req, response } = openRequest(`${fx.url}/broken`);
    req.end();
    const res = await response;
    assert.equal(res.statusCode, 200);
    const body = new BodyReader(res);
    await body.waitFor('partial;');
    openGate('break');
    await assert.rejects(body.complete, /cut off|aborted/);
    await fx.logs.waitFor((l) => l.includes("Executed 'Functions.broken' (Failed"));
  });
});

describe('request conversion in stream mode', () => {
  it('passes route params, query, URL and headers to the function', async () => {
    const reply = await call(`${fx.url}/items/books/42?x=1&x=2&y=z`, { headers: { 'x-fixture': 'yes' } });
    assert.equal(reply.status, 200);
    const seen = json(reply);
    assert.equal(seen.method, 'GET');
    assert.equal(seen.url, `${fx.url}/items/books/42?x=1&x=2&y=z`);
    assert.deepEqual(seen.params, { category: 'books', id: '42' });
    assert.deepEqual(seen.query, { x: ['1', '2'], y: 'z' });
    assert.equal(seen.header, 'yes');
  });

  it('leaves a missing optional route param undefined', async () => {
    const reply = await call(`${fx.url}/items/books`);
    assert.equal(reply.status, 200);
    assert.deepEqual(json(reply).params, { category: 'books' });
    assert.equal(json(reply).idIsUndefined, true);
  });

  it('relays status and every Set-Cookie header', async () => {
    const reply = await call(`${fx.url}/cookies`);
    assert.equal(reply.status, 201);
    assert.equal(reply.text, 'made');
    const cookies = reply.headers['set-cookie'] ?? [];
    assert.equal(cookies.length, 2);
    assert.match(cookies[0] ?? '', /^a=1; Path=\/; HttpOnly$/);
    assert.match(cookies[1] ?? '', /^b=2; SameSite=Strict$/);
  });
});

describe('host rules still apply in stream mode', () => {
  it('answers 401 without a valid key and never starts the function', async () => {
    const executions = (): number =>
      fx.logs.lines.filter((l) => l.includes("Executing 'Functions.echo'")).length;
    const before = executions();
    const missing = await call(`${fx.url}/echo`, { method: 'POST', body: 'x' });
    assert.equal(missing.status, 401);
    assert.equal(missing.body.length, 0);
    const wrong = await call(`${fx.url}/echo?code=wrong`, { method: 'POST', body: 'x' });
    assert.equal(wrong.status, 401);
    assert.equal(executions(), before, 'the function did not run');
    const byQuery = await call(`${fx.url}/echo?code=${functionKey}`, { method: 'POST', body: 'ok' });
    assert.equal(byQuery.status, 200);
    assert.equal(byQuery.text, 'ok');
  });

  it('answers 413 over the body limit, declared or found while streaming', async () => {
    const declaredRequest = openRequest(`${fx.url}/size`, {
      method: 'POST',
      headers: { 'content-length': String(BODY_LIMIT + 1) },
    });
    declaredRequest.req.on('error', () => undefined);
    declaredRequest.req.write('only the start');
    const declared = await declaredRequest.response;
    assert.equal(declared.statusCode, 413);
    assert.equal((await new BodyReader(declared).complete).length, 0);
    declaredRequest.req.destroy();

    const exact = await call(`${fx.url}/size`, { method: 'POST', body: Buffer.alloc(BODY_LIMIT, 1) });
    assert.equal(exact.status, 200);
    assert.equal(json(exact).received, BODY_LIMIT);

    const { req, response } = openRequest(`${fx.url}/size`, { method: 'POST' });
    req.on('error', () => undefined); // the host may close while the rest is still being written
    req.write(Buffer.alloc(BODY_LIMIT - 10, 1));
    req.write(Buffer.alloc(100, 1));
    const res = await response;
    assert.equal(res.statusCode, 413);
    assert.equal(res.headers.connection, 'close');
    await fx.logs.waitFor((l) => l.includes("Executed 'Functions.size' (Failed"));
    req.destroy();
  });

  it('relays the answer of a function that never reads a large body, and reads the rest', async () => {
    const { req, response } = openRequest(`${fx.url}/ignores`, { method: 'POST' });
    const uploaded = once(req, 'finish', { signal: AbortSignal.timeout(10_000) });
    req.end(Buffer.alloc(6 * 1024 * 1024, 1));
    const res = await response;
    assert.equal(res.statusCode, 200);
    assert.equal((await new BodyReader(res).complete).toString('utf8'), 'ignored');
    await uploaded; // the host kept reading: the client is not left stuck mid-upload
  });

  it('answers 500 with an empty body when the handler throws', async () => {
    const reply = await call(`${fx.url}/throws`, { method: 'POST', body: 'ignored' });
    assert.equal(reply.status, 500);
    assert.equal(reply.body.length, 0);
    await fx.logs.waitFor(
      (l) => l.includes("Executed 'Functions.throws' (Failed") && l.includes('boom from the stream fixture'),
    );
  });

  it('answers 204 when the handler returns nothing', async () => {
    const reply = await call(`${fx.url}/noanswer`);
    assert.equal(reply.status, 204);
    assert.equal(reply.body.length, 0);
  });

  it('answers 404 for an unknown route and keeps serving afterwards', async () => {
    assert.equal((await call(`${fx.url}/nothing-here`, { method: 'POST', body: 'x' })).status, 404);
    assert.equal((await call(`${fx.url}/noanswer`)).status, 204);
  });

  it('keeps a streaming request in the throttle until its answer is complete', async () => {
    const readers: BodyReader[] = [];
    for (let i = 0; i < 4; i++) {
      const { req, response } = openRequest(`${fx.url}/chunks`);
      req.end();
      readers.push(new BodyReader(await response));
    }
    // Every handler has returned its stream; each answer is waiting at its second chunk.
    await Promise.all(readers.map((reader) => reader.waitFor('first;')));
    const refused = await call(`${fx.url}/noanswer`);
    assert.equal(refused.status, 429);
    openGate('chunk-2');
    openGate('chunk-3');
    for (const reader of readers)
      assert.equal((await reader.complete).toString('utf8'), 'first;second;third;');
    assert.equal((await call(`${fx.url}/noanswer`)).status, 204, 'the slots are free again');
  });

  it('drops connections to the library listener that do not come from loopback', async (t: TestContext) => {
    const line = fx.logs.lines.find((l) => l.includes('HTTP streaming enabled')) ?? '';
    const port = Number(new URL(/listener at (\S+)/.exec(line)?.[1] ?? '').port);
    // A local non-loopback source address stands in for a remote peer (the target stays loopback).
    const external = Object.values(os.networkInterfaces())
      .flat()
      .find((nic) => nic && !nic.internal && nic.family === 'IPv4');
    if (!external) {
      t.skip('this machine has no non-loopback IPv4 interface');
      return;
    }
    const socket = net.connect({ host: '127.0.0.1', port, localAddress: external.address });
    socket.on('error', () => undefined);
    socket.write('GET / HTTP/1.1\r\nHost: x\r\nx-ms-invocation-id: guessed\r\n\r\n');
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    // Without the guard the library would park this request forever.
    await once(socket, 'close', { signal: AbortSignal.timeout(5000) });
    assert.equal(Buffer.concat(received).length, 0);
  });
});

describe('functionTimeout in stream mode', () => {
  before(async () => {
    await fx.host.close();
    fx = await startStreamHost({ hostJson: { functionTimeout: '00:00:00.300' } });
  });

  it('answers 500 when the handler outlives functionTimeout', async () => {
    const reply = await call(`${fx.url}/held?gate=never`);
    assert.equal(reply.status, 500);
    assert.equal(reply.body.length, 0);
    await fx.logs.waitFor((l) => l.includes('Timeout value of 00:00:00.300') && l.includes('Functions.held'));
  });
});
