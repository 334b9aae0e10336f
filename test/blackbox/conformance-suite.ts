/**
 * Host conformance checks that need nothing but a base URL and keys, so the same suite runs against the
 * embedded host (in CI) and against the real Functions host or its container (by hand, see
 * `remote.ts`). Only the product's own functions are used.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { request } from 'undici';

export interface ConformanceTarget {
  baseUrl: string;
  defaultKey: string;
  masterKey: string;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

async function send(
  target: ConformanceTarget,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  const res = await request(new URL(path, target.baseUrl), {
    method: (init.method ?? 'GET') as 'GET',
    headers: init.headers,
    body: init.body,
  });
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}

export function conformanceSuite(target: () => ConformanceTarget): void {
  const keyed = (extra: Record<string, string> = {}) => ({
    'x-functions-key': target().defaultKey,
    ...extra,
  });

  describe('host conformance (black box)', () => {
    it('answers the anonymous liveness probe', async () => {
      assert.equal((await send(target(), '/admin/host/ping')).status, 200);
    });

    it('answers 404 with an empty body for an unknown path and for a verb outside GET, PUT, DELETE, POST', async () => {
      const unknown = await send(target(), '/v4/no-such-operation', { headers: keyed() });
      assert.equal(unknown.status, 404);
      assert.equal(unknown.text, '');
      const patch = await send(target(), '/v4/butlerping', { method: 'PATCH', headers: keyed() });
      assert.equal(patch.status, 404);
      assert.equal(patch.text, '');
      const head = await send(target(), '/v4/butlerping', { method: 'HEAD', headers: keyed() });
      assert.equal(head.status, 404, 'HEAD is not implied by GET');
    });

    it('answers a JSON ROUTE_NOT_FOUND for a verb among GET, PUT, DELETE, POST the path does not serve', async () => {
      const wrongVerb = await send(target(), '/v4/butlerping', { method: 'DELETE', headers: keyed() });
      assert.equal(wrongVerb.status, 404);
      assert.match(wrongVerb.text, /"code":"ROUTE_NOT_FOUND"/);
    });

    it('answers 401 with an empty body without a key or with a wrong one', async () => {
      const none = await send(target(), '/v4/butlerping');
      assert.equal(none.status, 401);
      assert.equal(none.text, '');
      const wrong = await send(target(), '/v4/butlerping', { headers: { 'x-functions-key': 'wrong' } });
      assert.equal(wrong.status, 401);
    });

    it('takes the key from the header or from ?code=, and a wrong header is not rescued by a right code', async () => {
      assert.equal((await send(target(), '/v4/butlerping', { headers: keyed() })).status, 200);
      const code = encodeURIComponent(target().defaultKey);
      assert.equal((await send(target(), `/v4/butlerping?code=${code}`)).status, 200);
      const both = await send(target(), `/v4/butlerping?code=${code}`, {
        headers: { 'x-functions-key': 'wrong' },
      });
      assert.equal(both.status, 401);
      assert.equal(
        (await send(target(), '/v4/butlerping', { headers: { 'x-functions-key': target().masterKey } }))
          .status,
        200,
      );
    });

    it('adds host.json customHeaders to function responses', async () => {
      const res = await send(target(), '/v4/butlerping', { headers: keyed() });
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
    });

    it('routes case-insensitively and ignores a trailing slash', async () => {
      assert.equal((await send(target(), '/V4/BUTLERPING/', { headers: keyed() })).status, 200);
    });

    it('turns POST + X-HTTP-Method-Override into the intended verb (in the function, so on any host)', async () => {
      const get = await send(target(), '/v4/butlerping', {
        method: 'POST',
        headers: keyed({ 'x-http-method-override': 'GET' }),
      });
      assert.equal(get.status, 200);
      const notServed = await send(target(), '/v4/butlerping', {
        method: 'POST',
        headers: keyed({ 'x-http-method-override': 'DELETE' }),
      });
      assert.equal(notServed.status, 404);
      assert.equal((JSON.parse(notServed.text) as { code: string }).code, 'ROUTE_NOT_FOUND');
    });

    it('answers function errors as JSON {statusCode, error, message, code}', async () => {
      const res = await send(target(), '/v4/base62tobase16', { headers: keyed() });
      assert.equal(res.status, 400);
      assert.match(String(res.headers['content-type']), /^application\/json/);
      assert.deepEqual(Object.keys(JSON.parse(res.text) as object).sort(), [
        'code',
        'error',
        'message',
        'statusCode',
      ]);
    });

    it('answers 413 for a body over the 1 MiB limit', async () => {
      const res = await send(target(), '/v4/reloadtask/-/start', {
        method: 'PUT',
        headers: keyed({ 'content-type': 'application/json' }),
        body: `"${'x'.repeat(1_100_000)}"`,
      });
      assert.equal(res.status, 413);
    });
  });
}
