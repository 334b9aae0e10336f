import { promises as fs } from 'node:fs';
import path from 'node:path';

/**
 * A small glob for `package.json#main` (Node 20 has no fs.glob): `*` and `?` within one segment, `**` across
 * segments, `{a,b}` alternatives. Like globby's defaults, wildcards skip dot-entries and `node_modules`.
 */

const MAGIC = /[*?{]/;

/** Expands `{a,b}` groups (nested allowed) into plain patterns. */
export function expandBraces(pattern: string): string[] {
  const open = pattern.indexOf('{');
  if (open < 0) return [pattern];
  let depth = 0;
  const commas: number[] = [];
  for (let i = open; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '{') depth++;
    else if (ch === '}') {
      depth--;
      if (depth === 0) {
        const parts: string[] = [];
        let start = open + 1;
        for (const comma of commas) {
          parts.push(pattern.slice(start, comma));
          start = comma + 1;
        }
        parts.push(pattern.slice(start, i));
        const head = pattern.slice(0, open);
        const tail = pattern.slice(i + 1);
        return parts.flatMap((part) => expandBraces(head + part + tail));
      }
    } else if (ch === ',' && depth === 1) commas.push(i);
  }
  throw new Error(`Unbalanced "{" in glob pattern "${pattern}"`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.+^$()|[\]\\]/g, '\\$&');
}

/** Converts one brace-free pattern (forward slashes) to an anchored RegExp. */
export function globToRegExp(pattern: string): RegExp {
  const segments = pattern.split('/');
  let source = '';
  segments.forEach((segment, index) => {
    const last = index === segments.length - 1;
    if (segment === '**') {
      // Zero or more whole directories, none of them hidden.
      source += last ? '(?:[^/.][^/]*(?:/[^/.][^/]*)*)?' : '(?:[^/.][^/]*/)*';
      return;
    }
    let part = '';
    for (const ch of segment) {
      if (ch === '*') part += '[^/]*';
      else if (ch === '?') part += '[^/]';
      else part += escapeRegExp(ch);
    }
    // Wildcards never match a leading dot.
    if (segment.startsWith('*') || segment.startsWith('?')) part = `(?!\\.)${part}`;
    source += part + (last ? '' : '/');
  });
  return new RegExp(`^${source}$`);
}

async function walk(root: string, relativeDir: string, out: string[]): Promise<void> {
  let entries;
  try {
    entries = await fs.readdir(path.join(root, relativeDir), { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const relative = relativeDir ? `${relativeDir}/${entry.name}` : entry.name;
    if (entry.isDirectory()) await walk(root, relative, out);
    else if (entry.isFile()) out.push(relative);
  }
}

function staticPrefix(pattern: string): string {
  const segments = pattern.split('/');
  const fixed: string[] = [];
  for (const segment of segments.slice(0, -1)) {
    if (MAGIC.test(segment)) break;
    fixed.push(segment);
  }
  return fixed.join('/');
}

/** Files under `root` matching `pattern`, relative with forward slashes, sorted and de-duplicated. */
export async function expandGlob(root: string, pattern: string): Promise<string[]> {
  const normalized = pattern.replace(/\\/g, '/').replace(/^\.\//, '');
  const matches = new Set<string>();
  for (const single of expandBraces(normalized)) {
    if (!MAGIC.test(single)) {
      const stat = await fs.stat(path.join(root, single)).catch(() => undefined);
      if (stat?.isFile()) matches.add(path.posix.normalize(single));
      continue;
    }
    const matcher = globToRegExp(single);
    const prefix = staticPrefix(single);
    const files: string[] = [];
    await walk(root, prefix, files);
    for (const file of files) if (matcher.test(file)) matches.add(file);
  }
  return [...matches].sort();
}
