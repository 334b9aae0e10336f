/**
 * The config types and the endpoint-flag helpers are derived from the TypeBox schema and the flag
 * table; these tests hold the derivation to what it promises.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ENDPOINT_NAMES, isEndpointEnabled } from '../../shared/config/endpoints';
import { defaultConfig, loadConfig } from '../../shared/config/load';
import { resolveRef, type SchemaNode } from '../../shared/config/schema-walk';
import type { ButlerConfig } from '../../shared/config/types';
import { configSchema } from '../../shared/config/validate';
import { TempConfigDirs } from './temp-config-dir';

const dirs = new TempConfigDirs();
after(() => dirs.removeAll());

/** Keys that are optional anywhere in T (arrays looked into). */
type OptionalKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? K : never }[keyof T];
type DeepOptionalKeys<T> = T extends readonly (infer E)[]
  ? DeepOptionalKeys<E>
  : T extends object
    ? OptionalKeys<T> | { [K in keyof T]-?: DeepOptionalKeys<T[K]> }[keyof T]
    : never;
// Compile-time: the loaded config type has no optional field (a default fills every one).
const noOptionalField: [DeepOptionalKeys<ButlerConfig>] extends [never] ? true : false = true;

/** Pointers of the settings the schema declares below `node` that `value` lacks. */
function missingSettings(value: unknown, node: SchemaNode, root: SchemaNode, pointer: string): string[] {
  const schema = resolveRef(root, node);
  if (Array.isArray(value)) {
    return value.flatMap((item, index) =>
      schema.items ? missingSettings(item, schema.items, root, `${pointer}/${index}`) : [],
    );
  }
  if (typeof value !== 'object' || value === null || !schema.properties) return [];
  const record = value as Record<string, unknown>;
  return Object.entries(schema.properties).flatMap(([key, child]) => {
    if (key === '$schema') return []; // the editor hint, dropped on load
    if (!(key in record)) return [`${pointer}/${key}`];
    return missingSettings(record[key], child, root, `${pointer}/${key}`);
  });
}

void describe('types derived from the schema', () => {
  it('has no optional field, and the default config holds every declared setting', () => {
    assert.equal(noOptionalField, true);
    const root = configSchema();
    assert.deepEqual(missingSettings(defaultConfig({ cwd: dirs.make() }), root, root, ''), []);
  });

  it('fills defaults inside list items and nullable objects too', () => {
    const cwd = dirs.make({
      'butler.config.yaml': [
        'alerts:',
        '  channels:',
        '    slack:',
        '      tasks: { tag: [nightly] }',
        '    webhook:',
        '      - { name: ops, url: "https://hooks.example.com/x" }',
      ].join('\n'),
    });
    const config = loadConfig({ env: {}, cwd });
    const root = configSchema();
    assert.deepEqual(missingSettings(config, root, root, ''), []);
    assert.deepEqual(config.alerts.channels.slack.tasks, { tag: ['nightly'], customProperty: [] });
    assert.equal(config.alerts.channels.webhook[0]?.method, 'POST');
  });
});

void describe('endpoint flags from the one table', () => {
  it('lists the schema leaves of api.endpoints in schema order', () => {
    const root = configSchema();
    const endpoints = resolveRef(root, root.properties?.api?.properties?.endpoints ?? {});
    const leaves = Object.entries(endpoints.properties ?? {}).flatMap(([name, node]) =>
      node.type === 'boolean' ? [name] : Object.keys(node.properties ?? {}),
    );
    assert.deepEqual([...ENDPOINT_NAMES], leaves);
  });

  it('reads top-level and nested flags by their Butler name', () => {
    const cwd = dirs.make({
      'butler.config.yaml': [
        'api:',
        '  endpoints:',
        '    butlerping: false',
        '    scheduler: { getSchedule: false }',
        '    newRelic: { postNewRelicEvent: false }',
      ].join('\n'),
    });
    const flags = loadConfig({ env: {}, cwd }).api.endpoints;
    const off = ENDPOINT_NAMES.filter((name) => !isEndpointEnabled(flags, name));
    assert.deepEqual(off, ['butlerping', 'postNewRelicEvent', 'getSchedule']);
  });
});
