/** `filemove`: a rename from an approved `from` directory to the same pair's `to` directory. */
import fs from 'node:fs/promises';
import { ApiError } from '../http/errors';
import type { DirPair, PathRules } from './approval';
import { copyFileAtomically, type OpenRead } from './copy-file';
import { destinationExists, ensureParent } from './fs-checks';
import { fsFailure } from './fs-failure';
import { errnoCode } from './resolve-real';
import { checkTransfer } from './transfer-paths';

export interface MoveRequest {
  fromFile: string;
  toFile: string;
  overwrite: boolean;
}

export async function moveApproved(
  request: MoveRequest,
  pairs: readonly DirPair[],
  rules: PathRules,
  openRead: OpenRead,
): Promise<{ fromFile: string; toFile: string }> {
  const paths = await checkTransfer(request, pairs, 'file move', rules);
  if ((await destinationExists(paths.toReal, paths.toFile)) && !request.overwrite) {
    throw new ApiError(
      'FILE_DESTINATION_EXISTS',
      `toFile already exists and overwrite is false: ${paths.toFile}`,
    );
  }
  await ensureParent(paths.toReal);
  try {
    await fs.rename(paths.fromReal, paths.toReal);
  } catch (err) {
    if (errnoCode(err) !== 'EXDEV') throw fsFailure(err, 'Failed moving file');
    // A rename cannot cross file systems: copy whole (timestamps kept, as a rename keeps them), then unlink.
    try {
      await copyFileAtomically(paths.fromReal, paths.toReal, {
        sourceStats: paths.sourceStats,
        preserveTimestamp: true,
        openRead,
      });
      await fs.unlink(paths.fromReal);
    } catch (fallbackErr) {
      throw fsFailure(fallbackErr, 'Failed moving file');
    }
  }
  return { fromFile: paths.fromFile, toFile: paths.toFile };
}
