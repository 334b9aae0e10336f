/**
 * The file-system steps the operations share, each turning the expected failures into API errors.
 * They run only on paths that have already been checked to lie inside an approved directory.
 */
import type { Stats } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ApiError } from '../http/errors';
import type { PathRules } from './approval';
import { fsFailure, resolutionFailure } from './fs-failure';
import { errnoCode, resolveReal } from './resolve-real';

const GONE = new Set(['ENOENT', 'ENOTDIR']);
const IN_THE_WAY = new Set(['EEXIST', 'ENOTDIR']);

export function isGone(err: unknown): boolean {
  return GONE.has(errnoCode(err) ?? '');
}

/** The real location of a request path (resolve-real.ts), with resolution problems named by field. */
export async function resolveField(native: string, field: string, rules: PathRules): Promise<string> {
  try {
    return await resolveReal(native, rules.style, rules.realpath);
  } catch (err) {
    throw resolutionFailure(err, field, `Failed to resolve ${field}`);
  }
}

/**
 * The source must exist (404) and not be a directory (400: directories are never copied, moved or
 * deleted). With `regularOnly`, FIFOs, sockets and devices are refused too: they would block or never
 * end a copy.
 */
export async function requireFile(
  real: string,
  field: string,
  shown: string,
  { regularOnly }: { regularOnly: boolean },
): Promise<Stats> {
  let stats: Stats;
  try {
    stats = await fs.stat(real);
  } catch (err) {
    if (isGone(err)) throw new ApiError('FILE_NOT_FOUND', `${field} does not exist: ${shown}`);
    throw fsFailure(err, `Failed to read ${field}`);
  }
  if (stats.isDirectory()) throw new ApiError('FILE_IS_DIRECTORY', `${field} is a directory: ${shown}`);
  if (regularOnly && !stats.isFile()) {
    throw new ApiError('VALIDATION', `body/${field} is not a regular file: ${shown}`);
  }
  return stats;
}

/** Whether something is at the destination (a dangling symlink counts); a directory there is 400. */
export async function destinationExists(real: string, shown: string): Promise<boolean> {
  let stats: Stats;
  try {
    stats = await fs.lstat(real);
  } catch (err) {
    if (isGone(err)) return false;
    throw fsFailure(err, 'Failed to read toFile');
  }
  if (stats.isDirectory()) throw new ApiError('FILE_IS_DIRECTORY', `toFile is a directory: ${shown}`);
  return true;
}

/** Creates a directory and its missing parents; a file in the way is 409. */
export async function makeDirectory(real: string, field: string): Promise<void> {
  try {
    await fs.mkdir(real, { recursive: true });
  } catch (err) {
    if (IN_THE_WAY.has(errnoCode(err) ?? '')) {
      throw new ApiError('FILE_DESTINATION_EXISTS', `${field}: a file is in the way of the directory`);
    }
    throw fsFailure(err, 'Failed to create directory');
  }
}

/** Creates a destination file's missing directories. */
export function ensureParent(real: string): Promise<void> {
  return makeDirectory(path.dirname(real), 'toFile');
}
