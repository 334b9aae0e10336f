/** Route templates and matching as the real host does them, over real sockets. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startFixtureHost, type FixtureHost } from './fixture-host';
import { call, json } from './http-client';

describe('routing', () => {
  let fx: FixtureHost;
  before(async () => {
    fx = await startFixtureHost();
  });
  after(async () => {
    await fx?.host.close();
  });

  async function routed(path: string, method = 'GET'): Promise<{ fn: unknown; params: unknown }> {
    const reply = await call(`${fx.url}${path}`, { method });
    assert.equal(reply.status, 200, `${method} ${path} → ${reply.status}`);
    const body = json(reply);
    return { fn: body.fn, params: body.params };
  }

  async function notFound(path: string, method = 'GET'): Promise<void> {
    const reply = await call(`${fx.url}${path}`, { method });
    assert.equal(reply.status, 404, `${method} ${path} should be 404`);
    assert.equal(reply.body.length, 0, '404 has an empty body');
  }

  it('applies precedence alphabetically by function name, not by specificity', async () => {
    assert.deepEqual(await routed('/things/recent'), { fn: 'a-thing', params: { name: 'recent' } });
    await fx.logs.waitFor((line) => line.includes('"a-thing" wins'));
  });

  it('enforces constraints and chained constraints', async () => {
    assert.deepEqual(await routed('/orders/42'), { fn: 'order', params: { id: '42' } });
    const guid = '3f2504e0-4f89-11d3-9a0c-0305e82c3301';
    assert.deepEqual(await routed(`/orders/${guid}`), { fn: 'order-guid', params: { id: guid } });
    await notFound('/orders/0'); // min(1)
    await notFound('/orders/abc'); // neither int nor guid
    await notFound('/mixed/case/abc1'); // alpha
  });

  it('gives a missing optional parameter as an empty string', async () => {
    assert.deepEqual(await routed('/opt'), { fn: 'optional', params: { a: '' } });
    assert.deepEqual(await routed('/opt/value'), { fn: 'optional', params: { a: 'value' } });
  });

  it('matches catch-all parameters, including empty', async () => {
    assert.deepEqual(await routed('/files'), { fn: 'catchall', params: { rest: '' } });
    assert.deepEqual(await routed('/files/a/b/c.txt'), { fn: 'catchall', params: { rest: 'a/b/c.txt' } });
  });

  it('matches literals case-insensitively, ignores a trailing slash and decodes segments', async () => {
    assert.deepEqual(await routed('/MIXED/case/Hello'), { fn: 'mixedcase', params: { Value: 'Hello' } });
    assert.deepEqual(await routed('/Things/hello%20world/'), {
      fn: 'a-thing',
      params: { name: 'hello world' },
    });
  });

  it('answers 404 (not 405) for a method the function does not accept; HEAD is not implied by GET', async () => {
    await notFound('/orders/42', 'DELETE');
    await notFound('/orders/42', 'HEAD');
    await notFound('/remove/1', 'GET');
    assert.deepEqual(await routed('/remove/1', 'DELETE'), { fn: 'deleteonly', params: { id: '1' } });
  });

  it('answers 404 with an empty body for an unknown path and unknown admin paths', async () => {
    await notFound('/no/such/route');
    await notFound('/admin/nothing-here');
  });

  it('serves the home page and the anonymous ping', async () => {
    const home = await call(`${fx.url}/`);
    assert.equal(home.status, 200);
    assert.match(String(home.headers['content-type']), /text\/html/);
    for (const method of ['GET', 'POST']) {
      const ping = await call(`${fx.url}/admin/host/ping`, { method });
      assert.equal(ping.status, 200);
    }
  });
});

describe('home page switched off', () => {
  it('answers 204 on / with AzureWebJobsDisableHomepage=true', async () => {
    const fx = await startFixtureHost({ settings: { AzureWebJobsDisableHomepage: 'true' } });
    try {
      const home = await call(`${fx.url}/`);
      assert.equal(home.status, 204);
    } finally {
      await fx.host.close();
    }
    assert.equal(process.env.AzureWebJobsDisableHomepage, undefined, 'settings are restored on close');
  });
});
