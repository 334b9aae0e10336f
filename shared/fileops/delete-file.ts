/** `filedelete`: one file below a `fileOps.delete` directory. Directories are never deleted. */
import fs from 'node:fs/promises';
import { ApiError } from '../http/errors';
import { dirApproves, type PathRules } from './approval';
import { isGone, requireFile, resolveField } from './fs-checks';
import { fsFailure } from './fs-failure';
import { displayPath, parseRequestPath } from './request-path';

export async function deleteApproved(
  deleteFile: string,
  dirs: readonly string[],
  rules: PathRules,
): Promise<void> {
  const target = parseRequestPath(deleteFile, { field: 'deleteFile', operation: 'file delete' }, rules.style);
  const real = await resolveField(target, 'deleteFile', rules);
  if (!(await dirApproves(real, dirs, rules, { allowEqual: false }))) {
    throw new ApiError('FILE_NOT_APPROVED', 'No approved directory for file delete');
  }
  const shown = displayPath(target, rules.style);
  // Any non-directory may go (a stray FIFO included); only a copy needs a regular file.
  await requireFile(real, 'deleteFile', shown, { regularOnly: false });
  try {
    await fs.unlink(real);
  } catch (err) {
    if (isGone(err)) throw new ApiError('FILE_NOT_FOUND', `deleteFile does not exist: ${shown}`);
    throw fsFailure(err, 'Failed deleting file');
  }
}
