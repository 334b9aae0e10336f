/** A loggable copy of the config: values the schema marks `writeOnly` (secrets) become "***". */
import { configSchema } from './validate';
import { childSchema, type SchemaNode } from './schema-walk';
import { isPlainObject } from './coerce';
import type { ButlerConfig } from './types';

export const REDACTED = '***';

export function redactConfig(config: ButlerConfig): unknown {
  const root = configSchema();
  return redact(config, root, root);
}

function redact(value: unknown, node: SchemaNode | undefined, root: SchemaNode): unknown {
  // A set secret is hidden; an unset one (null) stays visible, so diagnostics show what is configured.
  if (node?.writeOnly === true && value !== null && value !== undefined) return REDACTED;
  if (Array.isArray(value)) {
    return value.map((item, index) => redact(item, child(root, node, String(index)), root));
  }
  if (isPlainObject(value)) {
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) copy[key] = redact(item, child(root, node, key), root);
    return copy;
  }
  return value;
}

function child(root: SchemaNode, node: SchemaNode | undefined, segment: string): SchemaNode | undefined {
  return node ? childSchema(root, node, segment, false)?.node : undefined;
}
