/**
 * The checks copy and move share: both paths parsed and resolved, one approved pair holding both,
 * then the source required to be a file. Approval comes before any existence check.
 */
import type { Stats } from 'node:fs';
import { ApiError } from '../http/errors';
import { pairApproves, type DirPair, type PathRules } from './approval';
import { requireFile, resolveField } from './fs-checks';
import { displayPath, parseRequestPath } from './request-path';

export interface TransferPaths {
  fromReal: string;
  toReal: string;
  /** Normalised request paths (forward slashes, `%23` decoded), as echoed to the caller. */
  fromFile: string;
  toFile: string;
  sourceStats: Stats;
}

export async function checkTransfer(
  request: { fromFile: string; toFile: string },
  pairs: readonly DirPair[],
  operation: 'file copy' | 'file move',
  rules: PathRules,
): Promise<TransferPaths> {
  const from = parseRequestPath(request.fromFile, { field: 'fromFile', operation }, rules.style);
  const to = parseRequestPath(request.toFile, { field: 'toFile', operation }, rules.style);
  const fromReal = await resolveField(from, 'fromFile', rules);
  const toReal = await resolveField(to, 'toFile', rules);
  if (!(await pairApproves(fromReal, toReal, pairs, rules))) {
    throw new ApiError('FILE_NOT_APPROVED', `No approved fromDir/toDir for ${operation}`);
  }
  const fromFile = displayPath(from, rules.style);
  const sourceStats = await requireFile(fromReal, 'fromFile', fromFile, { regularOnly: true });
  return { fromReal, toReal, fromFile, toFile: displayPath(to, rules.style), sourceStats };
}
