/**
 * runtime/pipeline/buffered-request.ts against fetch's own `Request` with the same body: every member
 * the library uses, in several orders, must answer the same (values, `bodyUsed`, errors). The library's
 * `HttpRequest` paths are compared in test/host/direct-invocation.test.ts; this covers what it does not
 * expose (`bytes()`), the headers fetch would keep, and when the class must not be used.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HttpRequest } from '@azure/functions';
import { bufferedRequest, fitsLibrary } from '../../runtime/pipeline/buffered-request';

const URL_ = 'http://127.0.0.1/api/x?a=1&b=%20';

type BodyReader = Pick<
  Request,
  'body' | 'bodyUsed' | 'arrayBuffer' | 'text' | 'json' | 'blob' | 'formData'
> & {
  clone(): Request;
};

function pair(body: string, headers: Record<string, string> = {}, method = 'PUT'): [BodyReader, Request] {
  const bytes = Buffer.from(body);
  const fast = bufferedRequest(URL_, method, headers, bytes);
  assert.ok(fast, `${method} is served buffered`);
  return [fast, new Request(URL_, { method, headers, body: bytes })];
}

async function settle(run: () => unknown): Promise<unknown> {
  try {
    const value: unknown = await run();
    if (value instanceof ArrayBuffer || value instanceof Uint8Array) return [...new Uint8Array(value)];
    if (value instanceof Blob) return [value.type, await value.text()];
    return value;
  } catch (err) {
    return `${(err as Error).name}: ${(err as Error).message}`;
  }
}

/** Runs the same steps on both and compares every outcome and `bodyUsed` after each. */
async function sameSteps(
  body: string,
  steps: ((r: BodyReader) => unknown)[],
  headers?: Record<string, string>,
) {
  const [fast, real] = pair(body, headers);
  const seen: unknown[][] = [[], []];
  for (const step of steps) {
    for (const [i, request] of [fast, real].entries()) {
      seen[i]?.push(await settle(() => step(request)), request.bodyUsed);
    }
  }
  assert.deepEqual(seen[0], seen[1]);
  return seen[0] ?? [];
}

describe('a Request that keeps its buffered body', () => {
  it('has the URL, method and headers fetch keeps, and a non-null body even when empty', () => {
    const headers = {
      host: 'h:1',
      connection: 'keep-alive',
      'content-length': '0',
      cookie: 'a=1; b=2',
      'set-cookie': 'c=3',
      'transfer-encoding': 'chunked',
      'x-forwarded-for': '10.0.0.1, 127.0.0.1',
      'Mixed-Case': 'Value  with  spaces',
      te: 'trailers',
      'proxy-authorization': 'x',
      'sec-fetch-mode': 'cors',
    };
    for (const method of ['DELETE', 'OPTIONS', 'PATCH', 'POST', 'PUT']) {
      const [fast, real] = pair('', headers, method);
      assert.equal((fast as unknown as Request).method, real.method);
      assert.equal((fast as unknown as Request).url, real.url);
      assert.deepEqual([...(fast as unknown as Request).headers], [...real.headers]);
      assert.equal(fast.body === null, real.body === null);
      assert.equal(fast.bodyUsed, false);
    }
  });

  it('is not used where fetch would change or refuse the method, or the library uses more', () => {
    for (const method of ['GET', 'HEAD', 'put', 'Post', 'TRACE', 'CONNECT', 'PROPFIND']) {
      assert.equal(bufferedRequest(URL_, method, {}, Buffer.from('x')), undefined, method);
    }
    assert.ok(fitsLibrary(HttpRequest), 'the installed library uses only the members provided');
    class Later extends HttpRequest {
      signal(): void {}
    }
    assert.equal(fitsLibrary(Later), false);
  });

  it('reads text, JSON, bytes and blobs as fetch does, once', async () => {
    const text = await sameSteps('\uFEFFhé', [(r) => r.text(), (r) => r.text()]);
    assert.equal(text[0], 'hé');
    assert.match(String(text[2]), /TypeError/);
    const json = await sameSteps('{"a":1}', [(r) => r.json(), (r) => r.arrayBuffer()]);
    assert.deepEqual(json[0], { a: 1 });
    const broken = await sameSteps('{"a"', [(r) => r.json(), (r) => r.json()]);
    assert.match(String(broken[0]), /^SyntaxError/);
    // Node 20's Request has bytes() though its typings do not declare it.
    const bytes = (r: BodyReader): Promise<Uint8Array> =>
      (r as BodyReader & { bytes(): Promise<Uint8Array> }).bytes();
    await sameSteps('\xff bytes', [bytes, (r) => r.text()]);
    await sameSteps('typed', [(r) => r.blob(), (r) => r.text()], {
      'content-type': 'Text/HTML;Charset="utf-8"',
    });
  });

  it('hands the stream, formData and clone the state the fast reads left', async () => {
    await sameSteps('abc', [(r) => r.text(), (r) => r.body?.locked, (r) => r.clone().text()]);
    await sameSteps('a=1', [(r) => r.formData().then((f) => [...f.keys()]), (r) => r.text()], {
      'content-type': 'application/x-www-form-urlencoded',
    });
    const cloned = await sameSteps('copy', [(r) => r.clone().text(), (r) => r.text()]);
    assert.deepEqual(cloned, ['copy', false, 'copy', true]);
    const streamed = await sameSteps('stream', [
      async (r) => {
        const reader = r.body?.getReader();
        const first = await reader?.read();
        reader?.releaseLock();
        return first?.value ? Buffer.from(first.value).toString() : null;
      },
      (r) => r.text(),
    ]);
    assert.equal(streamed[0], 'stream');
  });
});
