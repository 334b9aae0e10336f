/**
 * "Is this path inside that directory?", compared segment by segment on real paths (never as string
 * prefixes, so `/data/qvd2` is not inside `/data/qvd`). Windows compares case-insensitively.
 */
import { pathModule, type PathStyle } from './path-style';
import { segmentsAfterRoot } from './request-path';

/**
 * Windows' case folding maps one UTF-16 unit to one; `toUpperCase` sometimes expands (ß → SS), which
 * would make different names look equal, so such characters are kept as they are.
 */
function foldWindowsCase(name: string): string {
  let out = '';
  for (const ch of name) {
    const upper = ch.toUpperCase();
    out += upper.length === ch.length ? upper : ch;
  }
  return out;
}

interface SplitPath {
  root: string;
  segments: string[];
}

function split(native: string, style: PathStyle): SplitPath {
  const mod = pathModule(style);
  const normalised = mod.normalize(native);
  let root = mod.parse(normalised).root;
  // `\\server\share\` and `\\server\share` are the same root.
  if (style === 'win32') root = root.replace(/[\\/]+$/, '').replace(/\//g, '\\');
  return { root, segments: segmentsAfterRoot(normalised, style) };
}

function sameName(a: string, b: string, style: PathStyle): boolean {
  return style === 'win32' ? foldWindowsCase(a) === foldWindowsCase(b) : a === b;
}

/**
 * True when `candidate` is `dir` itself (only if `allowEqual`) or lies below it. Both must be
 * absolute native paths of the same style, already resolved to real paths by the caller.
 */
export function isWithin(
  candidate: string,
  dir: string,
  style: PathStyle,
  { allowEqual }: { allowEqual: boolean },
): boolean {
  const c = split(candidate, style);
  const d = split(dir, style);
  if (!sameName(c.root, d.root, style)) return false;
  if (c.segments.length < d.segments.length) return false;
  if (c.segments.length === d.segments.length && !allowEqual) return false;
  return d.segments.every((segment, i) => sameName(segment, c.segments[i] ?? '', style));
}
