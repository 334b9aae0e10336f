/**
 * The shipped OpenAPI document and the registered functions describe the same API: every documented
 * path is served, and nothing is served that the document leaves out. API functions are registered for
 * GET, PUT, DELETE and POST whatever they serve (a verb the spec lacks answers JSON ROUTE_NOT_FOUND),
 * while the document lists only the verbs served.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { parse } from 'yaml';
import { PROJECT_ROOT, startProductHost, type ProductHost } from '../helpers/product-host';

const VERBS = ['get', 'put', 'post', 'delete'];
let api: ProductHost;

before(async () => {
  api = await startProductHost();
});
after(async () => {
  await api?.close();
});

function documented(): Map<string, string[]> {
  const doc = parse(readFileSync(path.join(PROJECT_ROOT, 'openapi.yaml'), 'utf8')) as {
    paths: Record<string, Record<string, unknown>>;
  };
  // `x-method-override: false` marks routes outside registerEndpoint (the API page, the QRS callback):
  // they are registered for exactly their documented verbs.
  const out = new Map<string, string[]>();
  for (const [route, item] of Object.entries(doc.paths)) {
    const verbs = VERBS.filter((v) => v in item).map((v) => v.toUpperCase());
    const override = item['x-method-override'] !== false;
    out.set(route.toLowerCase(), (override ? VERBS.map((v) => v.toUpperCase()) : verbs).sort());
  }
  return out;
}

function registered(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const { bindings } of api.host.registrations) {
    const trigger = Object.values(bindings).find((b) => (b as { type?: string }).type === 'httpTrigger') as
      { route: string; methods: string[] } | undefined;
    if (!trigger) continue;
    out.set(`/${trigger.route}`.toLowerCase(), [...trigger.methods].map((m) => m.toUpperCase()).sort());
  }
  return out;
}

test('every documented path is registered with its verbs, and nothing undocumented is served', () => {
  assert.deepEqual(
    Object.fromEntries([...registered()].sort()),
    Object.fromEntries([...documented()].sort()),
  );
});
