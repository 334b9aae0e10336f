/**
 * GET /v4/openapi.json and GET /v4/docs with its files: the key rule, the document's content, the
 * page's key hand-over, the content types and the allow-list of file names.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { parse } from 'yaml';
import { PROJECT_ROOT, startProductHost, type ProductHost } from '../helpers/product-host';

let api: ProductHost;

before(async () => {
  api = await startProductHost();
});
after(async () => {
  await api?.close();
});

test('openapi.json is the shipped openapi.yaml as JSON', async () => {
  const res = await api.call('/v4/openapi.json');
  assert.equal(res.status, 200);
  assert.match(String(res.headers['content-type']), /^application\/json/);
  const yamlDoc: unknown = parse(readFileSync(path.join(PROJECT_ROOT, 'openapi.yaml'), 'utf8'));
  assert.deepEqual(res.json, yamlDoc);
});

test('the document, the page and its files all need a function key', async () => {
  for (const route of ['/v4/openapi.json', '/v4/docs', '/v4/docs/swagger-ui-bundle.js', '/v4/docs/init.js']) {
    assert.equal((await api.call(route, { key: null })).status, 401, route);
    assert.equal((await api.call(`${route}?code=wrong`, { key: null })).status, 401, route);
  }
  const withCode = await api.call(`/v4/openapi.json?code=${encodeURIComponent(api.key)}`, { key: null });
  assert.equal(withCode.status, 200);
});

test('a key given as ?code= is passed on to every file of the page, URL-encoded and HTML-escaped', async () => {
  const res = await api.call(`/v4/docs?code=${encodeURIComponent(api.key)}`, { key: null });
  assert.equal(res.status, 200);
  assert.match(String(res.headers['content-type']), /^text\/html/);
  const refs = [...res.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
  assert.deepEqual(refs.map((r) => r.split('?')[0]).sort(), [
    'docs/favicon-32x32.png',
    'docs/init.js',
    'docs/swagger-ui-bundle.js',
    'docs/swagger-ui.css',
  ]);
  for (const ref of refs) {
    const url = new URL(ref.replaceAll('&amp;', '&'), `${api.url}/v4/docs`);
    assert.equal(url.searchParams.get('code'), api.key);
    assert.equal((await api.call(url.pathname + url.search, { key: null })).status, 200, ref);
  }
  // From /v4/docs/ (trailing slash) the files are siblings.
  const slash = await api.call('/v4/docs/');
  assert.match(slash.text, /src="swagger-ui-bundle\.js"/);
});

test('a hostile code value (with a valid header key) is escaped, never markup', async () => {
  const res = await api.call(`/v4/docs?code=${encodeURIComponent('"><script>alert(1)</script>')}`);
  assert.equal(res.status, 200);
  assert.doesNotMatch(res.text, /<script>alert/);
  assert.match(res.text, /code=%22%3E%3Cscript%3E/);
});

test('the page allows no other host and is never cached', async () => {
  const res = await api.call('/v4/docs');
  const csp = String(res.headers['content-security-policy']);
  assert.match(csp, /default-src 'none'/);
  for (const directive of csp.split(';').map((d) => d.trim())) {
    const sources = directive.split(/\s+/).slice(1);
    for (const source of sources) {
      assert.ok(["'self'", "'none'", "'unsafe-inline'", 'data:'].includes(source), `${directive}`);
    }
  }
  assert.equal(res.headers['cache-control'], 'no-store');
  assert.equal(res.headers['referrer-policy'], 'no-referrer');
});

test('page files are served from the package with their content types', async () => {
  const expected: Record<string, RegExp> = {
    'swagger-ui.css': /^text\/css/,
    'swagger-ui-bundle.js': /^text\/javascript/,
    'init.js': /^text\/javascript/,
    'favicon-16x16.png': /^image\/png$/,
    'favicon-32x32.png': /^image\/png$/,
  };
  const pkg = path.dirname(require.resolve('swagger-ui-dist/package.json'));
  for (const [name, type] of Object.entries(expected)) {
    const res = await api.call(`/v4/docs/${name}`);
    assert.equal(res.status, 200, name);
    assert.match(String(res.headers['content-type']), type, name);
    if (name.endsWith('.css')) assert.equal(res.text, readFileSync(path.join(pkg, name), 'utf8'));
  }
});

test('any other name is a JSON 404, including paths out of the folder', async () => {
  for (const name of [
    'index.html',
    'package.json',
    'swagger-ui-bundle.js.map',
    '..%2F..%2Fpackage.json',
    'SWAGGER-UI.CSS',
  ]) {
    const res = await api.call(`/v4/docs/${name}`);
    assert.equal(res.status, 404, name);
    if (res.text) assert.equal((res.json as { code: string }).code, 'ROUTE_NOT_FOUND', name);
  }
});

test('the document and page answer GET only', async () => {
  assert.equal((await api.call('/v4/openapi.json', { method: 'POST' })).status, 404);
  assert.equal((await api.call('/v4/docs', { method: 'PUT' })).status, 404);
});
