/**
 * Copy, move, delete and directory creation inside the `fileOps` approved directories
 * (docs/file-operations.md). One instance per host start, in `Services`.
 *
 * Every request path is parsed (request-path.ts), resolved to its real location (resolve-real.ts)
 * and checked against the approved directories' real locations (approval.ts) before the file system
 * is probed or changed, so nothing outside is touched and whether a file exists there is never
 * revealed. Each operation then acts on the resolved path, the one that was checked.
 */
import fs from 'node:fs/promises';
import type { ButlerConfig } from '../config/types';
import type { PathRules } from './approval';
import { copyApproved, type CopyRequest, type CopyResult } from './copy';
import { openReadStream, type OpenRead } from './copy-file';
import { createDirApproved, createDirInQvdRoot } from './create-dir';
import { deleteApproved } from './delete-file';
import { moveApproved, type MoveRequest } from './move';
import { hostPathStyle, type PathStyle } from './path-style';
import type { RealpathFn } from './resolve-real';

export type { CopyRequest, CopyResult } from './copy';
export type { MoveRequest } from './move';

export type FileOpsConfig = ButlerConfig['fileOps'];

export interface FileOpsDeps {
  style: PathStyle;
  realpath: RealpathFn;
  /** Opens a copy's source; tests substitute a stream that fails part-way. */
  openRead: OpenRead;
}

export class FileOperations {
  private readonly rules: PathRules;
  private readonly openRead: OpenRead;

  constructor(
    private readonly config: FileOpsConfig,
    deps: Partial<FileOpsDeps> = {},
  ) {
    this.rules = {
      style: deps.style ?? hostPathStyle(),
      realpath: deps.realpath ?? ((p) => fs.realpath(p)),
    };
    this.openRead = deps.openRead ?? openReadStream;
  }

  copy(request: CopyRequest): Promise<CopyResult> {
    return copyApproved(request, this.config.copy, this.rules, this.openRead);
  }

  move(request: MoveRequest): Promise<{ fromFile: string; toFile: string }> {
    return moveApproved(request, this.config.move, this.rules, this.openRead);
  }

  deleteFile(deleteFile: string): Promise<void> {
    return deleteApproved(deleteFile, this.config.delete, this.rules);
  }

  createDir(directory: string): Promise<void> {
    return createDirApproved(directory, this.config.createDir, this.rules);
  }

  createDirInQvdRoot(directory: string): Promise<void> {
    return createDirInQvdRoot(directory, this.config.qvdRoot, this.rules);
  }
}
