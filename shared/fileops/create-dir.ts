/** `createdir` (absolute, under a `fileOps.createDir` root) and `createdirqvd` (relative to `fileOps.qvdRoot`). */
import { ApiError } from '../http/errors';
import { dirApproves, type PathRules } from './approval';
import { makeDirectory, resolveField } from './fs-checks';
import { fsFailure } from './fs-failure';
import { joinBelowRoot, parseRequestPath } from './request-path';
import { realDirectory } from './resolve-real';

/** An absolute directory equal to or below one of `roots`; idempotent. No roots refuses everything. */
export async function createDirApproved(
  directory: string,
  roots: readonly string[],
  rules: PathRules,
): Promise<void> {
  const target = parseRequestPath(
    directory,
    { field: 'directory', operation: 'directory creation' },
    rules.style,
  );
  if (roots.length === 0) {
    throw new ApiError(
      'DIR_NOT_APPROVED',
      'No directory is approved for directory creation (fileOps.createDir is empty)',
    );
  }
  const real = await resolveField(target, 'directory', rules);
  if (!(await dirApproves(real, roots, rules, { allowEqual: true }))) {
    throw new ApiError('DIR_NOT_APPROVED', 'Directory is not within an approved fileOps.createDir root');
  }
  await makeDirectory(real, 'directory');
}

/**
 * `directory` joined below the QVD root even when it starts with `/`; `""` is the root itself. A root
 * that is unset or missing is the operator's configuration, so 503 NOT_CONFIGURED naming the setting.
 */
export async function createDirInQvdRoot(
  directory: string,
  root: string | null,
  rules: PathRules,
): Promise<void> {
  if (root === null) {
    throw new ApiError('NOT_CONFIGURED', 'fileOps.qvdRoot is not set; /v4/createdirqvd needs it');
  }
  const where = { field: 'directory', operation: 'QVD directory creation' };
  const target = joinBelowRoot(root, directory, where, rules.style);
  let rootReal: string | null;
  try {
    rootReal = await realDirectory(root, rules.realpath);
  } catch (err) {
    throw fsFailure(err, 'Failed to resolve fileOps.qvdRoot');
  }
  if (rootReal === null) {
    throw new ApiError('NOT_CONFIGURED', 'fileOps.qvdRoot does not exist; create it or correct the setting');
  }
  const real = await resolveField(target, 'directory', rules);
  if (!(await dirApproves(real, [rootReal], rules, { allowEqual: true }))) {
    throw new ApiError('DIR_NOT_APPROVED', 'Directory must be within the QVD folder');
  }
  await makeDirectory(real, 'directory');
}
