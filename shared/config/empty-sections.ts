/**
 * In YAML a section whose children are all commented out (`sense:` alone on its line) is null. Such a
 * null object or list section counts as absent, so its defaults apply instead of a "must be object"
 * error. Null scalars are left for validation to judge.
 */
import { isPlainObject } from './coerce';
import { childSchema, schemaTypes, type SchemaNode } from './schema-walk';

export function dropEmptySections(
  data: Record<string, unknown>,
  root: SchemaNode,
  node: SchemaNode = root,
): void {
  for (const [key, value] of Object.entries(data)) {
    const child = childSchema(root, node, key, false);
    if (!child) continue; // unknown: validation names it
    const types = schemaTypes(child.node);
    const isContainer = types.includes('object') || types.includes('array');
    if (value === null && isContainer && !types.includes('null')) delete data[key];
    else if (isPlainObject(value)) dropEmptySections(value, root, child.node);
    else if (Array.isArray(value)) {
      for (const item of value)
        if (isPlainObject(item)) dropEmptySections(item, root, childOf(root, child.node));
    }
  }
}

function childOf(root: SchemaNode, arrayNode: SchemaNode): SchemaNode {
  return childSchema(root, arrayNode, '0', false)?.node ?? {};
}
