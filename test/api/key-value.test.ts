/**
 * The seven key-value operations on the embedded host (file state backend): Butler's wire shapes,
 * method override as the Qlik subs send it, TTL, limits on every path (REST and task-start items),
 * odd names in URLs, bad input, concurrency, and data surviving a restart.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { startProductHost, type ProductHost } from '../helpers/product-host';

const LIMITS = { maxKeysPerNamespace: 5, maxValueBytes: 2048, maxNamespaces: 8, maxTotalBytes: 20_000 };
let stateDir: string;
let api: ProductHost;

const start = () => startProductHost({ config: { state: { dir: stateDir }, keyValueStore: LIMITS } });

before(async () => {
  stateDir = await mkdtemp(path.join(os.tmpdir(), 'butler-kv-state-'));
  api = await start();
});
after(async () => {
  await api?.close();
  await rm(stateDir, { recursive: true, force: true });
});

interface Err {
  code: string;
  message: string;
  statusCode: number;
}

const enc = encodeURIComponent;
const set = (ns: string, body: unknown, headers: Record<string, string> = {}) =>
  api.call(`/v4/keyvalues/${enc(ns)}`, { method: 'POST', body: body as object, headers });
const get = (ns: string, key: string) => api.call(`/v4/keyvalues/${enc(ns)}?key=${enc(key)}`);
const exists = (ns: string, key: string) => api.call(`/v4/keyvalues/${enc(ns)}/keyexists?key=${enc(key)}`);
const keylist = (ns: string) => api.call(`/v4/keylist/${enc(ns)}`);
const namespaces = async () => (await api.call('/v4/keyvaluesnamespaces')).json as string[];
/** As the Qlik subs delete: POST + X-HTTP-Method-Override: DELETE, no body. */
const overrideDelete = (url: string, headers: Record<string, string> = {}) =>
  api.call(url, { method: 'POST', headers: { 'x-http-method-override': 'DELETE', ...headers } });
const taskStart = (items: unknown[]) =>
  api.call('/v4/reloadtask/-/start', {
    method: 'POST',
    headers: { 'x-http-method-override': 'PUT' },
    body: items as object,
  });
const kvItem = (namespace: string, key: string, value: string, ttl?: string) => ({
  type: 'keyvaluestore',
  payload: { namespace, key, value, ...(ttl === undefined ? {} : { ttl }) },
});

function assertError(res: { status: number; json: unknown }, status: number, code: string, field?: RegExp) {
  assert.equal(res.status, status, JSON.stringify(res.json));
  const err = res.json as Err;
  assert.equal(err.code, code);
  assert.equal(err.statusCode, status);
  if (field) assert.match(err.message, field);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeEach(async () => {
  for (const ns of await namespaces())
    assert.equal((await overrideDelete(`/v4/keyvalues/${enc(ns)}`)).status, 204);
});

describe('the seven operations', () => {
  test('set, get, keyexists, keylist, namespaces, deletes: Butler shapes', async () => {
    assert.deepEqual(await namespaces(), []);
    const created = await set('sales', { key: 'region', value: 'north', ttl: 60000 });
    assert.equal(created.status, 201);
    assert.deepEqual(created.json, { namespace: 'sales', key: 'region', value: 'north', ttl: 60000 });
    assert.match(String(created.headers['content-type']), /^application\/json/);
    await set('sales', { key: 'year', value: '' });
    await set('hr', { key: 'a', value: '1' });

    assert.deepEqual(await namespaces(), ['sales', 'hr']);
    const value = await get('sales', 'region');
    assert.equal(value.status, 200);
    assert.deepEqual(value.json, { namespace: 'sales', key: 'region', value: 'north' });
    assert.deepEqual((await get('sales', 'year')).json, { namespace: 'sales', key: 'year', value: '' });

    assert.deepEqual((await exists('sales', 'region')).json, {
      keyExists: true,
      keyValue: { namespace: 'sales', key: 'region', value: 'north', ttl: 60000 },
    });
    const missing = await exists('sales', 'nope');
    assert.equal(missing.status, 200);
    assert.deepEqual(missing.json, { keyExists: false, keyValue: {} });

    assert.deepEqual((await keylist('sales')).json, {
      namespace: 'sales',
      keys: [{ key: 'region' }, { key: 'year' }],
    });

    assert.equal((await api.call('/v4/keyvalues/sales/region', { method: 'DELETE' })).status, 204);
    assertError(
      await get('sales', 'region'),
      404,
      'KV_KEY_NOT_FOUND',
      /Key 'region' not found in namespace: sales/,
    );
    assert.equal((await api.call('/v4/keyvalues/sales', { method: 'DELETE' })).status, 204);
    assert.deepEqual(await namespaces(), ['hr']);
  });

  test('overwrite replaces value and TTL and keeps the key in its place', async () => {
    await set('ns', { key: 'a', value: '1', ttl: 60000 });
    await set('ns', { key: 'b', value: '2' });
    const again = await set('ns', { key: 'a', value: 'one' });
    assert.deepEqual(again.json, { namespace: 'ns', key: 'a', value: 'one', ttl: 0 });
    assert.deepEqual((await exists('ns', 'a')).json, {
      keyExists: true,
      keyValue: { namespace: 'ns', key: 'a', value: 'one', ttl: 0 },
    });
    assert.deepEqual((await keylist('ns')).json, { namespace: 'ns', keys: [{ key: 'a' }, { key: 'b' }] });
  });

  test("Butler's coercions: numbers and booleans become strings, ttl as a string or null", async () => {
    assert.deepEqual((await set('c', { key: 'n', value: 2, ttl: '3000' })).json, {
      namespace: 'c',
      key: 'n',
      value: '2',
      ttl: 3000,
    });
    assert.deepEqual((await set('c', { key: 'b', value: true, ttl: null })).json, {
      namespace: 'c',
      key: 'b',
      value: 'true',
      ttl: 0,
    });
    assert.equal((await set('c', { key: 'f', value: 'x', ttl: 1.7 })).json?.constructor, Object);
    assert.equal(((await set('c', { key: 'f', value: 'x', ttl: 1.7 })).json as { ttl: number }).ttl, 1);
    // The sub sends ttl as a string only when > 0; "" (an unset script variable) means none.
    assert.equal(((await set('c', { key: 'e', value: 'x', ttl: '' })).json as { ttl: number }).ttl, 0);
  });

  test('404s: unknown namespace everywhere, unknown key where Butler had one', async () => {
    assertError(await get('ghost', 'k'), 404, 'KV_NAMESPACE_NOT_FOUND', /Namespace not found: ghost/);
    assertError(await exists('ghost', 'k'), 404, 'KV_NAMESPACE_NOT_FOUND');
    assertError(await keylist('ghost'), 404, 'KV_NAMESPACE_NOT_FOUND');
    assertError(await overrideDelete('/v4/keyvalues/ghost'), 404, 'KV_NAMESPACE_NOT_FOUND');
    assertError(await overrideDelete('/v4/keyvalues/ghost/k'), 404, 'KV_NAMESPACE_NOT_FOUND');
    await set('real', { key: 'k', value: 'v' });
    assertError(await get('real', 'other'), 404, 'KV_KEY_NOT_FOUND');
    assertError(await get('real', ''), 404, 'KV_KEY_NOT_FOUND');
    assertError(await overrideDelete('/v4/keyvalues/real/other'), 404, 'KV_KEY_NOT_FOUND');
    // GET on {namespace}/{x} serves only keyexists.
    assertError(await api.call('/v4/keyvalues/real/k?key=k'), 404, 'ROUTE_NOT_FOUND');
  });
});

describe('method override, as the Qlik subs send it', () => {
  test('bodiless DELETE overrides with and without a JSON content type; POST + GET override', async () => {
    await set('o', { key: 'a', value: '1' });
    await set('o', { key: 'b', value: '2' });
    assert.equal((await overrideDelete('/v4/keyvalues/o/a')).status, 204);
    assert.equal(
      (await overrideDelete('/v4/keyvalues/o/b', { 'content-type': 'application/json' })).status,
      204,
    );
    assert.deepEqual((await keylist('o')).json, { namespace: 'o', keys: [] });
    const read = await api.call('/v4/keyvaluesnamespaces', {
      method: 'POST',
      headers: { 'x-http-method-override': 'get' },
    });
    assert.deepEqual(read.json, ['o']);
    assert.equal(
      (await overrideDelete('/v4/keyvalues/o', { 'content-type': 'application/json' })).status,
      204,
    );
    assert.deepEqual(await namespaces(), []);
    assertError(
      await api.call('/v4/keyvalues/o', { method: 'POST', headers: { 'x-http-method-override': 'PATCH' } }),
      400,
      'BAD_METHOD_OVERRIDE',
    );
    assertError(
      await api.call('/v4/keylist/o', { method: 'POST', headers: { 'x-http-method-override': 'DELETE' } }),
      404,
      'ROUTE_NOT_FOUND',
    );
  });

  test('a key named keyexists can still be deleted', async () => {
    await set('k', { key: 'keyexists', value: 'v' });
    assert.equal(((await exists('k', 'keyexists')).json as { keyExists: boolean }).keyExists, true);
    assert.equal((await overrideDelete('/v4/keyvalues/k/keyexists')).status, 204);
    assert.equal(((await exists('k', 'keyexists')).json as { keyExists: boolean }).keyExists, false);
  });
});

describe('names', () => {
  test('spaces and # in namespaces and keys (percent-encoded in the URL)', async () => {
    const ns = 'Reload Params #2';
    const key = 'run#1 a/b?c';
    assert.equal((await set(ns, { key, value: 'v' })).status, 201);
    assert.deepEqual((await get(ns, key)).json, { namespace: ns, key, value: 'v' });
    assert.equal(((await exists(ns, key)).json as { keyExists: boolean }).keyExists, true);
    assert.deepEqual((await keylist(ns)).json, { namespace: ns, keys: [{ key }] });
    assert.deepEqual(await namespaces(), [ns]);
    assert.equal((await overrideDelete(`/v4/keyvalues/${enc(ns)}/${enc('run#1 a')}`)).status, 404);
    // Unicode and 100-character names round-trip.
    const long = 'ж'.repeat(100);
    assert.equal((await set(long, { key: long, value: '🦆' })).status, 201);
    assert.deepEqual((await get(long, long)).json, { namespace: long, key: long, value: '🦆' });
  });

  test('bad names and bad bodies: 400 naming the field, nothing stored', async () => {
    const cases: [string, Promise<{ status: number; json: unknown }>, RegExp][] = [
      ['namespace over 100', set('n'.repeat(101), { key: 'k', value: 'v' }), /params\/namespace/],
      ['key over 100', set('ns', { key: 'k'.repeat(101), value: 'v' }), /body\/key/],
      ['empty key', set('ns', { key: '', value: 'v' }), /body\/key/],
      ['missing key', set('ns', { value: 'v' }), /'key'/],
      ['missing value', set('ns', { key: 'k' }), /'value'/],
      ['object value', set('ns', { key: 'k', value: { a: 1 } }), /body\/value must be string/],
      ['negative ttl', set('ns', { key: 'k', value: 'v', ttl: -5 }), /body\/ttl/],
      ['huge ttl', set('ns', { key: 'k', value: 'v', ttl: 1e300 }), /body\/ttl/],
      ['ttl not a number', set('ns', { key: 'k', value: 'v', ttl: 'soon' }), /body\/ttl must be number/],
      ['control character in a namespace', set('a\u0001b', { key: 'k', value: 'v' }), /params\/namespace/],
      ['control character in a key', set('ns', { key: 'a\nb', value: 'v' }), /body\/key/],
      ['body not an object', set('ns', ['k']), /body must be object/],
      ['no key on get', api.call('/v4/keyvalues/ns'), /querystring must have required property 'key'/],
      ['no key on keyexists', api.call('/v4/keyvalues/ns/keyexists'), /'key'/],
      ['key over 100 on get', get('ns', 'q'.repeat(101)), /querystring\/key/],
      ['namespace over 100 on keylist', keylist('l'.repeat(101)), /params\/namespace/],
      ['invalid JSON', api.call('/v4/keyvalues/ns', { method: 'POST', body: '{"key":' }), /JSON/i],
    ];
    for (const [name, pending, field] of cases) {
      const res = await pending;
      assert.ok(res.status === 400, `${name}: ${res.status} ${JSON.stringify(res.json)}`);
      assert.match((res.json as Err).message, field, name);
    }
    assert.deepEqual(await namespaces(), []);
  });
});

describe('TTL', () => {
  test('an expired key is never returned and frees its place; the namespace stays', async () => {
    await set('t', { key: 'short', value: 'v', ttl: 1 });
    await set('t', { key: 'long', value: 'v', ttl: 600000 });
    await sleep(20);
    assertError(await get('t', 'short'), 404, 'KV_KEY_NOT_FOUND');
    assert.deepEqual((await exists('t', 'short')).json, { keyExists: false, keyValue: {} });
    assert.deepEqual((await keylist('t')).json, { namespace: 't', keys: [{ key: 'long' }] });
    assertError(await overrideDelete('/v4/keyvalues/t/short'), 404, 'KV_KEY_NOT_FOUND');
    assert.deepEqual(await namespaces(), ['t']);
    // Setting it again makes it live again, at the end of the list.
    await set('t', { key: 'short', value: 'again' });
    assert.deepEqual((await keylist('t')).json, {
      namespace: 't',
      keys: [{ key: 'long' }, { key: 'short' }],
    });
  });
});

describe('limits', () => {
  test('maxKeysPerNamespace: a new key beyond it is 409 and not stored; overwrite allowed; expiry frees room', async () => {
    for (let i = 0; i < 5; i++) await set('full', { key: `k${i}`, value: 'v' });
    assertError(
      await set('full', { key: 'extra', value: 'v' }),
      409,
      'KV_NAMESPACE_FULL',
      /maxKeysPerNamespace/,
    );
    assert.equal(((await exists('full', 'extra')).json as { keyExists: boolean }).keyExists, false);
    assert.equal((await set('full', { key: 'k0', value: 'new' })).status, 201);
    // An expired key no longer counts.
    await overrideDelete('/v4/keyvalues/full/k4');
    await set('full', { key: 'soon', value: 'v', ttl: 1 });
    await sleep(20);
    assert.equal((await set('full', { key: 'extra', value: 'v' })).status, 201);
    assert.equal(((await keylist('full')).json as { keys: unknown[] }).keys.length, 5);
  });

  test('maxValueBytes counts UTF-8 bytes: 413 and nothing stored', async () => {
    assert.equal((await set('v', { key: 'ok', value: 'x'.repeat(2048) })).status, 201);
    assertError(
      await set('v', { key: 'big', value: 'x'.repeat(2049) }),
      413,
      'KV_VALUE_TOO_LARGE',
      /maxValueBytes/,
    );
    assertError(await set('v', { key: 'big', value: 'ü'.repeat(1025) }), 413, 'KV_VALUE_TOO_LARGE');
    assertError(await set('v', { key: 'ok', value: 'y'.repeat(3000) }), 413, 'KV_VALUE_TOO_LARGE');
    assert.equal(((await get('v', 'ok')).json as { value: string }).value, 'x'.repeat(2048));
    assert.deepEqual((await keylist('v')).json, { namespace: 'v', keys: [{ key: 'ok' }] });
  });

  test('maxNamespaces: one more is 409 KV_LIMIT_EXCEEDED; deleting one makes room', async () => {
    for (let i = 0; i < 8; i++) assert.equal((await set(`n${i}`, { key: 'k', value: 'v' })).status, 201);
    assertError(await set('n8', { key: 'k', value: 'v' }), 409, 'KV_LIMIT_EXCEEDED', /maxNamespaces/);
    assert.equal((await namespaces()).length, 8);
    assert.equal((await set('n0', { key: 'k2', value: 'v' })).status, 201);
    await overrideDelete('/v4/keyvalues/n0');
    assert.equal((await set('n8', { key: 'k', value: 'v' })).status, 201);
  });

  test('maxTotalBytes across namespaces: 409 and nothing stored; deletes and expiry give bytes back', async () => {
    // 20,000 bytes: nine values of 2,000 bytes plus keys fit, the tenth does not.
    for (let i = 0; i < 9; i++) {
      const res = await set(`b${i % 4}`, { key: `k${i}`, value: 'x'.repeat(2000) });
      assert.equal(res.status, 201, JSON.stringify(res.json));
    }
    assertError(
      await set('b0', { key: 'k9', value: 'x'.repeat(2000) }),
      409,
      'KV_LIMIT_EXCEEDED',
      /maxTotalBytes/,
    );
    assert.equal(((await exists('b0', 'k9')).json as { keyExists: boolean }).keyExists, false);
    // A refused write into a new namespace does not leave the namespace behind.
    assertError(await set('brand new', { key: 'k', value: 'x'.repeat(2000) }), 409, 'KV_LIMIT_EXCEEDED');
    assert.equal((await namespaces()).includes('brand new'), false);
    // Overwriting with a smaller value is fine; deleting a key makes room.
    assert.equal((await set('b0', { key: 'k0', value: 'small' })).status, 201);
    assert.equal((await set('b0', { key: 'k9', value: 'x'.repeat(1500) })).status, 201);
    await overrideDelete('/v4/keyvalues/b1');
    assert.equal((await set('b1', { key: 'k', value: 'x'.repeat(2000) })).status, 201);
    // Expired entries count until purged; a write that needs their room purges them.
    for (const ns of await namespaces()) await overrideDelete(`/v4/keyvalues/${enc(ns)}`);
    for (let i = 0; i < 9; i++) await set(`e${i % 3}`, { key: `k${i}`, value: 'x'.repeat(2000), ttl: 1 });
    await sleep(20);
    assert.equal((await set('e0', { key: 'fresh', value: 'x'.repeat(2000) })).status, 201);
  });

  test('task-start items obey the same limits, all or nothing, before any start', async () => {
    const ok = await taskStart([kvItem('ts', 'a', '1', '60000'), kvItem('ts', 'b', '2')]);
    assert.equal(ok.status, 200, JSON.stringify(ok.json));
    assert.deepEqual((await exists('ts', 'a')).json, {
      keyExists: true,
      keyValue: { namespace: 'ts', key: 'a', value: '1', ttl: 60000 },
    });
    // The second item is too large: the first (new namespace) is not stored either.
    assertError(
      await taskStart([kvItem('ts2', 'a', '1'), kvItem('ts2', 'b', 'x'.repeat(4000))]),
      413,
      'KV_VALUE_TOO_LARGE',
    );
    // Too many keys for the namespace across the request.
    assertError(
      await taskStart(['c', 'd', 'e', 'f'].map((k) => kvItem('ts', k, 'v'))),
      409,
      'KV_NAMESPACE_FULL',
    );
    // Too many new namespaces in one request.
    assertError(
      await taskStart(Array.from({ length: 8 }, (_, i) => kvItem(`many${i}`, 'k', 'v'))),
      409,
      'KV_LIMIT_EXCEEDED',
    );
    // Too many bytes in one request.
    assertError(
      await taskStart(
        Array.from({ length: 12 }, (_, i) => kvItem(`bytes${i % 3}`, `k${i}`, 'x'.repeat(2000))),
      ),
      409,
      'KV_LIMIT_EXCEEDED',
    );
    assert.deepEqual(await namespaces(), ['ts']);
    assert.deepEqual((await keylist('ts')).json, { namespace: 'ts', keys: [{ key: 'a' }, { key: 'b' }] });
    // Odd names are refused with the field named.
    const bad = await taskStart([kvItem('n'.repeat(101), 'k', 'v')]);
    assert.equal(bad.status, 400);
    assert.match((bad.json as Err).message, /namespace/);
  });

  test('a keyed caller cannot grow the disk past the limits', async () => {
    // Try hard: many namespaces, large values, through REST and task start; count what reached disk.
    const attempts: Promise<unknown>[] = [];
    for (let i = 0; i < 40; i++) {
      attempts.push(set(`flood${i}`, { key: `k${i}`, value: 'z'.repeat(2048) }));
      attempts.push(taskStart([kvItem(`tflood${i}`, `k${i}`, 'z'.repeat(2048))]));
    }
    await Promise.all(attempts);
    assert.ok((await namespaces()).length <= LIMITS.maxNamespaces);
    const files = await listFiles(path.join(stateDir, 'state'));
    let bytes = 0;
    for (const file of files) bytes += (await stat(file)).size;
    // Values and keys within maxTotalBytes, plus per-entry bookkeeping for at most
    // maxNamespaces × maxKeysPerNamespace entries and the namespace index.
    const bound = LIMITS.maxTotalBytes + LIMITS.maxNamespaces * (LIMITS.maxKeysPerNamespace + 2) * 400;
    assert.ok(bytes <= bound, `${bytes} bytes on disk > ${bound}`);
  });
});

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(full)));
    else out.push(full);
  }
  return out;
}

describe('concurrency and restarts', () => {
  test('concurrent writers to one namespace lose nothing and never pass the key limit', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => set('race', { key: `k${i}`, value: `v${i}` })),
    );
    assert.equal(results.filter((r) => r.status === 201).length, LIMITS.maxKeysPerNamespace);
    assert.equal(results.filter((r) => r.status === 409).length, 20 - LIMITS.maxKeysPerNamespace);
    const keys = ((await keylist('race')).json as { keys: { key: string }[] }).keys;
    assert.equal(keys.length, LIMITS.maxKeysPerNamespace);
    // Every acknowledged write is there with its value.
    for (const [i, r] of results.entries()) {
      if (r.status === 201)
        assert.equal(((await get('race', `k${i}`)).json as { value: string }).value, `v${i}`);
    }
    // Concurrent overwrites of one key: the key holds one of the written values.
    await Promise.all(Array.from({ length: 10 }, (_, i) => set('race', { key: 'k0', value: `w${i}` })));
    assert.match(((await get('race', 'k0')).json as { value: string }).value, /^(w\d|v0)$/);
  });

  test('restart: stop the host, start it on the same state, everything is there', async () => {
    await set('persist', { key: 'a', value: '1', ttl: 600000 });
    await set('persist', { key: 'b#2', value: 'zwei' });
    await set('second', { key: 'x', value: 'y' });
    await api.close();
    api = await start();
    assert.deepEqual(await namespaces(), ['persist', 'second']);
    assert.deepEqual((await exists('persist', 'a')).json, {
      keyExists: true,
      keyValue: { namespace: 'persist', key: 'a', value: '1', ttl: 600000 },
    });
    assert.deepEqual((await keylist('persist')).json, {
      namespace: 'persist',
      keys: [{ key: 'a' }, { key: 'b#2' }],
    });
    assert.equal(((await get('persist', 'b#2')).json as { value: string }).value, 'zwei');
  });
});
