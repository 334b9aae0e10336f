/**
 * The real location a path names, symlinks included: the realpath of the path when it exists, else
 * the realpath of its nearest existing ancestor plus the segments that do not exist yet. Containment
 * is judged on this, and the operation then acts on it, so a symlink cannot lead a request outside.
 */
import { pathModule, type PathStyle } from './path-style';

export type RealpathFn = (p: string) => Promise<string>;

function errnoCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | null)?.code;
}

/** Errors that mean "this part does not exist (as a directory)": try the parent. */
const MISSING = new Set(['ENOENT', 'ENOTDIR']);

export async function resolveReal(native: string, style: PathStyle, realpath: RealpathFn): Promise<string> {
  const mod = pathModule(style);
  const missing: string[] = [];
  let current = native;
  for (;;) {
    try {
      const real = await realpath(current);
      return missing.length === 0 ? real : mod.join(real, ...missing.reverse());
    } catch (err) {
      if (!MISSING.has(errnoCode(err) ?? '')) throw err;
      const parent = mod.dirname(current);
      // Not even the root exists (a drive or share that is not there): nothing approved can be below it,
      // so the path as written is as good as any for the check that follows.
      if (parent === current) return native;
      missing.push(mod.basename(current));
      current = parent;
    }
  }
}

/** Real path of a configured directory, or null when it does not exist (it then approves nothing). */
export async function realDirectory(dir: string, realpath: RealpathFn): Promise<string | null> {
  try {
    return await realpath(dir);
  } catch (err) {
    if (MISSING.has(errnoCode(err) ?? '')) return null;
    throw err;
  }
}

export { errnoCode };
