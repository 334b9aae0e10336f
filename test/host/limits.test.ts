/** Body limit, throttling, custom headers, error statuses, functionTimeout and graceful close. */
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, it } from 'node:test';
import { handlerWaiting, openGate, recorder, resetGates } from '../fixtures/conformance-app/lib/recorder';
import { startFixtureHost, type FixtureHost } from './fixture-host';
import { call, json } from './http-client';

let fx: FixtureHost | undefined;
afterEach(async () => {
  resetGates();
  await fx?.host.close();
  fx = undefined;
});

/** Sends a chunked body (no Content-Length) and resolves with the status. */
function postChunked(url: string, chunks: Buffer[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error('timed out')));
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

describe('request body limit', () => {
  it('answers 413 (empty body) over FUNCTIONS_REQUEST_BODY_SIZE_LIMIT, declared or streamed', async () => {
    fx = await startFixtureHost({ settings: { FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: '1024' } });
    const ok = await call(`${fx.url}/size`, { method: 'POST', body: Buffer.alloc(1024, 1) });
    assert.equal(ok.status, 200);
    assert.equal(json(ok).received, 1024);
    const declared = await call(`${fx.url}/size`, { method: 'POST', body: Buffer.alloc(1025, 1) });
    assert.equal(declared.status, 413);
    assert.equal(declared.body.length, 0);
    const streamed = await postChunked(`${fx.url}/size`, [Buffer.alloc(600, 1), Buffer.alloc(600, 1)]);
    assert.equal(streamed, 413);
  });
});

describe('throttling', () => {
  it('answers 429 with X-FUNCTION-SCALEOUT when maxOutstandingRequests is reached, and frees the slot', async () => {
    fx = await startFixtureHost({
      hostJson: { extensions: { http: { maxConcurrentRequests: 1, maxOutstandingRequests: 1 } } },
    });
    const held = call(`${fx.url}/held?gate=t1`);
    await handlerWaiting('t1');
    const refused = await call(`${fx.url}/noreturn`);
    assert.equal(refused.status, 429);
    assert.equal(refused.headers['x-function-scaleout'], '1');
    assert.equal(refused.body.length, 0);
    assert.equal((await call(`${fx.url}/admin/host/ping`)).status, 200, 'probes are not throttled');
    openGate('t1');
    assert.equal((await held).text, 'released');
    assert.equal((await call(`${fx.url}/noreturn`)).status, 204);
  });

  it('queues up to maxOutstandingRequests and runs maxConcurrentRequests at a time', async () => {
    fx = await startFixtureHost({
      hostJson: { extensions: { http: { maxConcurrentRequests: 1, maxOutstandingRequests: 2 } } },
    });
    const first = call(`${fx.url}/held?gate=q1`);
    await handlerWaiting('q1');
    const queued = call(`${fx.url}/held?gate=q2`);
    // The third is refused only once the second is admitted: retry the check until the queue is full.
    let refusedStatus = 0;
    for (let i = 0; i < 50 && refusedStatus !== 429; i++) {
      refusedStatus = (await call(`${fx.url}/noreturn`)).status;
      if (refusedStatus !== 429) await new Promise((resolve) => setImmediate(resolve));
    }
    assert.equal(refusedStatus, 429);
    assert.equal(recorder.waiting.has('q2'), false, 'the queued request has not started');
    openGate('q1');
    await handlerWaiting('q2');
    openGate('q2');
    assert.deepEqual([(await first).status, (await queued).status], [200, 200]);
  });

  it('gives the slot back when a client disconnects mid-request', async () => {
    fx = await startFixtureHost({
      hostJson: { extensions: { http: { maxConcurrentRequests: 1, maxOutstandingRequests: 1 } } },
    });
    const req = http.request(`${fx.url}/held?gate=gone`, { agent: false });
    req.on('error', () => undefined);
    req.end();
    await handlerWaiting('gone');
    req.destroy();
    let status = 0;
    for (let i = 0; i < 50 && status !== 204; i++) {
      status = (await call(`${fx.url}/noreturn`)).status;
      if (status !== 204) await new Promise((resolve) => setImmediate(resolve));
    }
    assert.equal(status, 204);
    openGate('gone');
  });
});

describe('responses', () => {
  it('adds customHeaders without overriding a header the function set (TryAdd)', async () => {
    fx = await startFixtureHost();
    const own = await call(`${fx.url}/headers`);
    assert.equal(own.status, 201);
    assert.equal(own.text, 'made');
    assert.equal(own.headers['x-content-type-options'], 'from-function');
    assert.equal(own.headers['x-custom'], 'yes');
    assert.deepEqual(own.headers['set-cookie'], ['session=abc; Path=/; HttpOnly; SameSite=Strict']);
    const other = await call(`${fx.url}/noreturn`);
    assert.equal(other.headers['x-content-type-options'], 'nosniff');
  });

  it('answers 500 with an empty body when the handler throws, and logs the error', async () => {
    fx = await startFixtureHost();
    const reply = await call(`${fx.url}/throws`);
    assert.equal(reply.status, 500);
    assert.equal(reply.body.length, 0);
    await fx.logs.waitFor(
      (line) => line.includes("'Functions.throws' (Failed") && line.includes('boom from the fixture'),
    );
  });

  it('answers 204 when the handler returns undefined', async () => {
    fx = await startFixtureHost();
    const reply = await call(`${fx.url}/noreturn`);
    assert.equal(reply.status, 204);
    assert.equal(reply.body.length, 0);
  });

  it('answers 500 and logs loudly when functionTimeout passes', async () => {
    fx = await startFixtureHost({ hostJson: { functionTimeout: '00:00:00.300' } });
    const reply = await call(`${fx.url}/held?gate=never`);
    assert.equal(reply.status, 500);
    assert.equal(reply.body.length, 0);
    await fx.logs.waitFor(
      (line) => line.includes('Timeout value of 00:00:00.300') && line.includes('Functions.held'),
    );
    openGate('never');
  });

  it('survives a malformed request', async () => {
    fx = await startFixtureHost();
    const { port } = fx.host;
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => socket.end('NOT HTTP AT ALL\r\n\r\n'));
      let data = '';
      socket.on('data', (chunk: Buffer) => (data += chunk.toString()));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
      socket.setTimeout(5000, () => socket.destroy(new Error('timed out')));
    });
    assert.match(raw, /^HTTP\/1\.1 400/);
    assert.equal((await call(`${fx.url}/admin/host/ping`)).status, 200);
  });
});

describe('graceful close', () => {
  it('finishes an in-flight request, then runs appTerminate hooks', async () => {
    const started = await startFixtureHost();
    const terminatedBefore = recorder.appTerminateCount;
    const inFlight = call(`${started.url}/held?gate=closing`);
    await handlerWaiting('closing');
    const closed = started.host.close();
    await assert.rejects(call(`${started.url}/admin/host/ping`), 'no new connections once closing');
    openGate('closing');
    const reply = await inFlight;
    assert.equal(reply.status, 200);
    assert.equal(reply.text, 'released');
    await closed;
    assert.equal(recorder.appTerminateCount, terminatedBefore + 1);
  });
});
