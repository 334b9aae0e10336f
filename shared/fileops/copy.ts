/** `filecopy`: a file from an approved `from` directory to the same pair's `to` directory. */
import type { DirPair, PathRules } from './approval';
import { copyFileAtomically, type OpenRead } from './copy-file';
import { destinationExists, ensureParent } from './fs-checks';
import { fsFailure } from './fs-failure';
import { checkTransfer } from './transfer-paths';

export interface CopyRequest {
  fromFile: string;
  toFile: string;
  overwrite: boolean;
  preserveTimestamp: boolean;
}

export interface CopyResult {
  fromFile: string;
  toFile: string;
  /** False when the destination existed and `overwrite` was false: nothing was changed. */
  copied: boolean;
}

export async function copyApproved(
  request: CopyRequest,
  pairs: readonly DirPair[],
  rules: PathRules,
  openRead: OpenRead,
): Promise<CopyResult> {
  const paths = await checkTransfer(request, pairs, 'file copy', rules);
  const result = { fromFile: paths.fromFile, toFile: paths.toFile };
  // Butler's rule, which scripts rely on: an existing destination without overwrite is a quiet skip.
  if ((await destinationExists(paths.toReal, paths.toFile)) && !request.overwrite) {
    return { ...result, copied: false };
  }
  await ensureParent(paths.toReal);
  try {
    await copyFileAtomically(paths.fromReal, paths.toReal, {
      sourceStats: paths.sourceStats,
      preserveTimestamp: request.preserveTimestamp,
      openRead,
    });
  } catch (err) {
    throw fsFailure(err, 'Failed copying file');
  }
  return { ...result, copied: true };
}
