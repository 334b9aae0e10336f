/**
 * Which configured directories approve a request. Configured directories are resolved to real paths
 * on every request (a symlinked approved directory is followed; one that is missing approves nothing).
 */
import { isWithin } from './containment';
import type { PathStyle } from './path-style';
import { realDirectory, type RealpathFn } from './resolve-real';

export interface PathRules {
  style: PathStyle;
  realpath: RealpathFn;
}

export interface DirPair {
  from: string;
  to: string;
}

/**
 * True when one pair's `from` holds the source file and the same pair's `to` holds the destination
 * file. A file must lie below the directory: the approved directory itself is never the file.
 */
export async function pairApproves(
  sourceReal: string,
  destinationReal: string,
  pairs: readonly DirPair[],
  rules: PathRules,
): Promise<boolean> {
  for (const pair of pairs) {
    const from = await realDirectory(pair.from, rules.realpath);
    if (from === null || !isWithin(sourceReal, from, rules.style, { allowEqual: false })) continue;
    const to = await realDirectory(pair.to, rules.realpath);
    if (to !== null && isWithin(destinationReal, to, rules.style, { allowEqual: false })) return true;
  }
  return false;
}

/** True when one of `dirs` holds `real` (or is it, when `allowEqual`: directory creation). */
export async function dirApproves(
  real: string,
  dirs: readonly string[],
  rules: PathRules,
  options: { allowEqual: boolean },
): Promise<boolean> {
  for (const dir of dirs) {
    const approved = await realDirectory(dir, rules.realpath);
    if (approved !== null && isWithin(real, approved, rules.style, options)) return true;
  }
  return false;
}
