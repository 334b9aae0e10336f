/**
 * Turns the TypeBox config schema into the JSON Schema document that ajv validates and that ships as
 * `butler.config.schema.json` for editors: named sub-schemas become `#/definitions/<name>` references,
 * settings with a default leave `required` (see ./kit.ts), and keywords come in a fixed order so the
 * generated file is stable.
 */
import type { TSchema } from '@sinclair/typebox';

/** Keyword order of every emitted node; keywords not listed follow in their original order. */
const KEYWORD_ORDER = [
  '$schema',
  '$ref',
  'title',
  'type',
  'description',
  'additionalProperties',
  'required',
  'enum',
  'minLength',
  'pattern',
  'minimum',
  'maximum',
  'uniqueItems',
  'writeOnly',
  'default',
  'definitions',
  'items',
  'properties',
];

type Json = Record<string, unknown>;

export function toJsonSchema(root: TSchema, definitions: Readonly<Record<string, TSchema>>): Json {
  const names = new Map<TSchema, string>(Object.entries(definitions).map(([name, schema]) => [schema, name]));
  const emitNode = (node: TSchema, isDefinition = false): Json => {
    const name = names.get(node);
    if (name !== undefined && !isDefinition) return { $ref: `#/definitions/${name}` };
    const out: Json = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === 'properties')
        out.properties = mapValues(value as Record<string, TSchema>, (child) => emitNode(child));
      else if (key === 'items') out.items = emitNode(value as TSchema);
      else out[key] = structuredClone(value);
    }
    dropDefaultedFromRequired(out);
    return ordered(out);
  };
  const document = emitNode(root);
  document.definitions = mapValues(definitions, (schema) => emitNode(schema, true));
  return ordered(document);
}

function mapValues<T>(record: Readonly<Record<string, T>>, map: (value: T) => Json): Json {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, map(value)]));
}

/** A setting with a default is never missing after ajv's `useDefaults`, so it is not `required`. */
function dropDefaultedFromRequired(node: Json): void {
  const required = node.required;
  const properties = node.properties as Record<string, Json> | undefined;
  if (!Array.isArray(required) || !properties) return;
  const left = required.filter(
    (name) => typeof name === 'string' && !('default' in (properties[name] ?? {})),
  );
  if (left.length > 0) node.required = left;
  else delete node.required;
}

function ordered(node: Json): Json {
  const rank = (key: string): number => {
    const index = KEYWORD_ORDER.indexOf(key);
    return index === -1 ? KEYWORD_ORDER.length : index;
  };
  return Object.fromEntries(Object.entries(node).sort(([a], [b]) => rank(a) - rank(b)));
}
