/**
 * Read access to a Butler config that remembers which settings were used, so the importer can list
 * every setting it did not carry over. Paths are Butler's dotted names without the `Butler.` root.
 */
export type Tree = Record<string, unknown>;

export function isTree(value: unknown): value is Tree {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Butler's templates use `<…>` for "fill me in": such a value is treated as not set. */
export function isPlaceholder(value: unknown): boolean {
  return typeof value === 'string' && /^<.*>$/.test(value.trim());
}

export class ButlerTree {
  private readonly used = new Set<string>();

  constructor(readonly root: Tree) {}

  /** The value at `path` (undefined when absent); marks it and everything below it as used. */
  take(path: string): unknown {
    this.used.add(path);
    let node: unknown = this.root;
    for (const segment of path.split('.')) {
      if (!isTree(node)) return undefined;
      node = node[segment];
    }
    return node;
  }

  /** A string setting, or null when absent, empty or a template placeholder. */
  text(path: string): string | null {
    const value = this.take(path);
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') return null;
    if (isPlaceholder(value)) return null;
    const text = String(value).trim();
    return text === '' ? null : text;
  }

  bool(path: string): boolean | undefined {
    const value = this.take(path);
    if (typeof value === 'boolean') return value;
    if (value === 'true' || value === 'false') return value === 'true';
    return undefined;
  }

  /** An array setting; YAML lists with only comments parse as null, which is an empty list. */
  list(path: string): unknown[] {
    const value = this.take(path);
    return Array.isArray(value) ? value : [];
  }

  /** Every leaf setting not taken (directly or through an ancestor), with its path. */
  unused(): string[] {
    const out: string[] = [];
    const walk = (node: unknown, path: string) => {
      if (path && this.isUsed(path)) return;
      if (isTree(node) && Object.keys(node).length > 0) {
        for (const [key, child] of Object.entries(node)) walk(child, path ? `${path}.${key}` : key);
      } else if (path) {
        out.push(path);
      }
    };
    walk(this.root, '');
    return out;
  }

  private isUsed(path: string): boolean {
    const segments = path.split('.');
    for (let i = 1; i <= segments.length; i++) if (this.used.has(segments.slice(0, i).join('.'))) return true;
    return false;
  }
}
