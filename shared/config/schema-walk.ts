/** Navigating the config schema by path segment (for BUTLER__ overrides, ${env:} coercion, redaction). */

export interface SchemaNode {
  type?: string | string[];
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  definitions?: Record<string, SchemaNode>;
  $ref?: string;
  writeOnly?: boolean;
  [keyword: string]: unknown;
}

export interface ChildSchema {
  /** The segment as spelled in the schema (overrides match case-insensitively). */
  key: string;
  node: SchemaNode;
  /** True when the child is an array element (segment is an index). */
  isIndex: boolean;
}

/** Follows a local `#/definitions/<name>` reference; the shipped schema uses no other kind. */
export function resolveRef(root: SchemaNode, node: SchemaNode): SchemaNode {
  if (typeof node.$ref !== 'string') return node;
  const name = node.$ref.replace(/^#\/definitions\//, '');
  const target = root.definitions?.[name];
  if (!target) throw new Error(`schema reference ${node.$ref} not found`);
  return resolveRef(root, target);
}

export function schemaTypes(node: SchemaNode): string[] {
  if (Array.isArray(node.type)) return node.type;
  return typeof node.type === 'string' ? [node.type] : [];
}

/** The schema of `segment` below `parent`, or undefined when the schema has no such setting. */
export function childSchema(
  root: SchemaNode,
  parent: SchemaNode,
  segment: string,
  caseInsensitive: boolean,
): ChildSchema | undefined {
  const resolved = resolveRef(root, parent);
  if (resolved.properties) {
    const wanted = caseInsensitive ? segment.toLowerCase() : segment;
    for (const [key, node] of Object.entries(resolved.properties)) {
      if ((caseInsensitive ? key.toLowerCase() : key) === wanted) {
        return { key, node: resolveRef(root, node), isIndex: false };
      }
    }
    return undefined;
  }
  if (resolved.items && /^(0|[1-9][0-9]*)$/.test(segment)) {
    return { key: segment, node: resolveRef(root, resolved.items), isIndex: true };
  }
  return undefined;
}

/** The schema at an exact-case path of segments, or undefined when there is none. */
export function schemaAt(root: SchemaNode, segments: readonly string[]): SchemaNode | undefined {
  let node: SchemaNode = root;
  for (const segment of segments) {
    const child = childSchema(root, node, segment, false);
    if (!child) return undefined;
    node = child.node;
  }
  return resolveRef(root, node);
}
