/**
 * Contract test for registration capture: `app.http` / `app.timer` from @azure/functions must reach the host
 * through the `@azure/functions-core` shim, and handlers must get the library's real objects. If a library
 * upgrade changes the worker contract, this fails.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HttpRequest, InvocationContext } from '@azure/functions';
import { getCoreShim } from '../../runtime/core-shim';
import { startEmbeddedHost } from '../../runtime/host';
import { recorder } from '../fixtures/conformance-app/lib/recorder';
import { prepareConformanceApp } from './fixture-app';
import { startFixtureHost, type FixtureHost } from './fixture-host';
import { call, json } from './http-client';

describe('registration capture through @azure/functions-core', () => {
  let fx: FixtureHost;
  before(async () => {
    fx = await startFixtureHost();
  });
  after(async () => {
    await fx?.host.close();
  });

  it('captures the HTTP function with the bindings the library generates', () => {
    const echo = fx.host.registrations.find((r) => r.name === 'echo');
    assert.ok(echo, 'echo was not captured');
    const bindings = Object.values(echo.bindings) as Record<string, unknown>[];
    const trigger = bindings.find((b) => b.type === 'httpTrigger');
    assert.deepEqual(
      {
        direction: trigger?.direction,
        authLevel: trigger?.authLevel,
        methods: trigger?.methods,
        route: trigger?.route,
      },
      { direction: 'in', authLevel: 'function', methods: ['GET', 'POST', 'PUT'], route: 'echo/{*rest}' },
    );
    const output = echo.bindings.$return as Record<string, unknown> | undefined;
    assert.deepEqual(
      { type: output?.type, direction: output?.direction },
      { type: 'http', direction: 'out' },
    );
  });

  it('captures the timer function with its schedule', () => {
    const tick = fx.host.registrations.find((r) => r.name === 'tick');
    assert.ok(tick, 'tick was not captured');
    const trigger = Object.values(tick.bindings).find(
      (b) => (b as { type?: string }).type === 'timerTrigger',
    ) as Record<string, unknown> | undefined;
    assert.equal(trigger?.schedule, '0 0 0 1 1 *');
    assert.equal(trigger?.useMonitor, false);
  });

  it('refuses registrations after start-up with the worker message', () => {
    const shim = getCoreShim();
    assert.ok(shim?.registrationLocked);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { app } = require('@azure/functions') as typeof import('@azure/functions');
    assert.throws(
      () => app.http('late', { handler: () => ({}) }),
      /A function can only be registered during app startup\./,
    );
  });

  it('rejects an unknown hook name with a system RangeError', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const core = require('@azure/functions-core') as { registerHook(name: string, cb: () => void): unknown };
    assert.throws(
      () => core.registerHook('nonsense', () => undefined),
      (err: unknown) =>
        err instanceof RangeError &&
        (err as { isAzureFunctionsSystemError?: boolean }).isAzureFunctionsSystemError === true,
    );
  });

  it('invokes the HTTP handler with a real HttpRequest and InvocationContext', async () => {
    const reply = await call(`${fx.url}/echo/some/path?x=1&x=2`, {
      method: 'POST',
      headers: {
        'x-functions-key': fx.host.keys.default ?? '',
        'content-type': 'text/plain',
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      },
      body: 'hello body',
    });
    assert.equal(reply.status, 200);
    const body = json(reply);
    assert.equal(body.isHttpRequest, true);
    assert.equal(body.isInvocationContext, true);
    assert.equal(body.functionName, 'echo');
    assert.equal(body.method, 'POST');
    assert.equal(body.body, 'hello body');
    assert.deepEqual(body.params, { rest: 'some/path' });
    assert.deepEqual(body.query, { x: '1,2' });
    assert.equal(body.url, `${fx.url}/echo/some/path?x=1&x=2`);
    assert.equal(body.traceParent, '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    const invocationId = String(body.invocationId);
    await fx.logs.waitFor((line) => line.includes(`Functions.echo (Id=${invocationId}) echo handler ran`));
  });

  it('invokes the timer handler with the camel-cased timer object and a real InvocationContext', async () => {
    const before = recorder.timerCalls.length;
    await fx.host.invokeTimer('tick', { isPastDue: true });
    assert.equal(recorder.timerCalls.length, before + 1);
    const last = recorder.timerCalls[recorder.timerCalls.length - 1];
    assert.ok(last);
    assert.deepEqual(last.timer, { schedule: { adjustForDST: true }, isPastDue: true });
    assert.ok(last.context instanceof InvocationContext);
    assert.equal(last.context.functionName, 'tick');
  });

  it('ran the appStart hook once for this start', () => {
    assert.equal(recorder.appStartCount, 1);
    assert.ok(HttpRequest);
  });
});

describe('host lifecycle in one process', () => {
  it('allows one host at a time, and a restart re-uses registrations and re-runs appStart', async () => {
    const first = await startFixtureHost();
    const root = await prepareConformanceApp();
    await assert.rejects(startEmbeddedHost({ root, port: 0 }), /already running/);
    const names = first.host.registrations.map((r) => r.name);
    const startsBefore = recorder.appStartCount;
    const terminatesBefore = recorder.appTerminateCount;
    await first.host.close();
    assert.equal(recorder.appTerminateCount, terminatesBefore + 1);

    const second = await startFixtureHost();
    try {
      assert.equal(recorder.appStartCount, startsBefore + 1);
      assert.deepEqual(
        second.host.registrations.map((r) => r.name),
        names,
      );
      const reply = await call(`${second.url}/noreturn`);
      assert.equal(reply.status, 204);
    } finally {
      await second.host.close();
    }
  });
});
