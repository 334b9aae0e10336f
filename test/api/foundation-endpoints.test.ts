/**
 * The first four Butler endpoints and the request pipeline, on the embedded host over real HTTP.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startProductHost, type ProductHost } from '../helpers/product-host';

let api: ProductHost;

before(async () => {
  api = await startProductHost();
});
after(async () => {
  await api?.close();
});

describe('butlerping', () => {
  test('answers with the function key in the header or the code query', async () => {
    const viaHeader = await api.call('/v4/butlerping');
    assert.equal(viaHeader.status, 200);
    assert.match(String(viaHeader.headers['content-type']), /^application\/json/);
    assert.deepEqual(Object.keys(viaHeader.json as object), ['response', 'butlerVersion']);
    assert.equal((viaHeader.json as { response: string }).response, 'Butler reporting for duty');
    const viaCode = await api.call(`/v4/butlerping?code=${encodeURIComponent(api.key)}`, { key: null });
    assert.equal(viaCode.status, 200);
  });

  test('refuses a missing or wrong key with 401 and no body', async () => {
    const none = await api.call('/v4/butlerping', { key: null });
    assert.equal(none.status, 401);
    assert.equal(none.text, '');
    const wrong = await api.call('/v4/butlerping', { key: 'not-the-key' });
    assert.equal(wrong.status, 401);
  });

  test('paths match case-insensitively and ignore a trailing slash', async () => {
    assert.equal((await api.call('/V4/ButlerPing/')).status, 200);
  });
});

describe('method override', () => {
  test('POST with X-HTTP-Method-Override GET reaches the GET operation; its body is ignored', async () => {
    const res = await api.call('/v4/butlerping', {
      method: 'POST',
      headers: { 'x-http-method-override': 'get' },
      body: { ignored: true },
    });
    assert.equal(res.status, 200);
  });

  test('a verb the path does not serve is 404 ROUTE_NOT_FOUND (JSON)', async () => {
    const res = await api.call('/v4/butlerping', {
      method: 'POST',
      headers: { 'x-http-method-override': 'DELETE' },
    });
    assert.equal(res.status, 404);
    assert.equal((res.json as { code: string }).code, 'ROUTE_NOT_FOUND');
    const plainPost = await api.call('/v4/butlerping', { method: 'POST' });
    assert.equal(plainPost.status, 404);
  });

  test('an unknown override token is 400 BAD_METHOD_OVERRIDE', async () => {
    const res = await api.call('/v4/butlerping', {
      method: 'POST',
      headers: { 'x-http-method-override': 'FOO' },
    });
    assert.equal(res.status, 400);
    assert.deepEqual(Object.keys(res.json as object).sort(), ['code', 'error', 'message', 'statusCode']);
    assert.equal((res.json as { code: string }).code, 'BAD_METHOD_OVERRIDE');
  });

  test('a real PUT or DELETE to a GET-only path is the same JSON ROUTE_NOT_FOUND as the override', async () => {
    for (const method of ['PUT', 'DELETE'] as const) {
      const res = await api.call('/v4/butlerping', { method });
      assert.equal(res.status, 404);
      assert.deepEqual(res.json, {
        statusCode: 404,
        error: 'Not Found',
        message: `Route ${method}:/v4/butlerping not found`,
        code: 'ROUTE_NOT_FOUND',
      });
    }
    const get = await api.call('/v4/filecopy', { method: 'GET' });
    assert.equal(get.status, 404);
    assert.equal((get.json as { code: string }).code, 'ROUTE_NOT_FOUND');
  });

  test("verbs outside GET, PUT, DELETE and POST stay the host's empty 404", async () => {
    for (const method of ['PATCH', 'OPTIONS'] as const) {
      const res = await api.call('/v4/butlerping', { method });
      assert.equal(res.status, 404, method);
      assert.equal(res.text, '', method);
    }
  });
});

describe('endpointsenabled', () => {
  test('lists every operation when all are on, in Butler order', async () => {
    const res = await api.call('/v4/configfile/endpointsenabled');
    assert.equal(res.status, 200);
    const names = res.json as string[];
    assert.equal(names.length, 25);
    assert.deepEqual(names.slice(0, 4), [
      'apiListEnabledEndpoints',
      'base62ToBase16',
      'base16ToBase62',
      'butlerping',
    ]);
    assert.deepEqual(names.slice(-2), ['senseStartTask', 'slackPostMessage']);
  });
});

describe('base conversion', () => {
  test('converts both ways with Butler key order', async () => {
    const to16 = await api.call('/v4/base62tobase16?base62=6DMW88LpSok9Z7P7hUK0wv7bF');
    assert.equal(to16.status, 200);
    assert.equal(
      to16.text,
      '{"base62":"6DMW88LpSok9Z7P7hUK0wv7bF","base16":"3199af08bfeeaf5d420f27ed9c01e74370077"}',
    );
    const to62 = await api.call('/v4/base16tobase62?base16=000ABC');
    assert.deepEqual(to62.json, { base62: 'Ik', base16: '000ABC' });
  });

  test('bad input gets a 4xx JSON error naming the field', async () => {
    const missing = await api.call('/v4/base62tobase16');
    assert.equal(missing.status, 400);
    assert.deepEqual(missing.json, {
      statusCode: 400,
      error: 'Bad Request',
      message: "querystring must have required property 'base62'",
      code: 'VALIDATION',
    });
    const foreign = await api.call('/v4/base16tobase62?base16=xyz');
    assert.equal(foreign.status, 400);
    assert.equal((foreign.json as { code: string }).code, 'INVALID_DIGITS');
    const long = await api.call(`/v4/base16tobase62?base16=${'a'.repeat(5000)}`);
    assert.equal(long.status, 400);
    assert.match((long.json as { message: string }).message, /base16/);
    const repeated = await api.call('/v4/base62tobase16?base62=a&base62=b');
    assert.equal(repeated.status, 400, 'the comma-joined value is not base62');
  });
});
