/**
 * The host decodes query strings itself (runtime/pipeline/rpc-http.ts) instead of building a
 * URLSearchParams per request; what the function sees must be exactly what URLSearchParams gives,
 * repeated keys comma-joined, including for malformed escapes and invalid UTF-8.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toRpcHttpRequest } from '../../runtime/pipeline/rpc-http';

function reference(url: URL): [string, string][] {
  const joined = new Map<string, string>();
  for (const [key, value] of url.searchParams) {
    const previous = joined.get(key);
    joined.set(key, previous === undefined ? value : `${previous},${value}`);
  }
  return [...joined];
}

describe('query decoding', () => {
  it('matches URLSearchParams on plain, encoded, repeated and malformed queries', () => {
    const queries = [
      '',
      '?',
      '?a=1&a=2&b=',
      '?x=%E2%82%AC+y&z',
      '?bad=%E0%A4%A&ok=1',
      '?%zz=1',
      '?a==b&&c=%2B',
      '?=v&k',
      '?a=%F0%9F%98%80',
      '?q=a%26b%3Dc',
      '?%C3%28=1',
      '?__proto__=x&constructor=y',
      '?a=%&b=%2',
      '?plus=a+b%2Bc',
    ];
    for (const query of queries) {
      const url = new URL(`http://127.0.0.1/api/f${query}`);
      const { http } = toRpcHttpRequest({
        method: 'GET',
        url,
        rawHeaders: [],
        body: Buffer.alloc(0),
        params: {},
      });
      assert.deepEqual(Object.entries(http.query ?? {}), reference(url), query);
    }
  });
});
