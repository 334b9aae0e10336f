/**
 * Copy, move, delete and directory creation inside the `fileOps` approved directories.
 *
 * Every request path is parsed (request-path.ts), resolved to its real location (resolve-real.ts),
 * checked against the approved directories' real locations (approval.ts), and only then probed or
 * changed, so nothing outside an approved directory is ever touched, and whether a file exists there
 * is never revealed. The operation acts on the resolved path, which is the one that was checked.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Stats } from 'node:fs';
import type { ButlerConfig } from '../config/types';
import { ApiError } from '../http/errors';
import { dirApproves, pairApproves, type PathRules } from './approval';
import { copyFileAtomically, openReadStream, type OpenRead } from './copy-file';
import { fsFailure, resolutionFailure } from './fs-failure';
import { hostPathStyle, type PathStyle } from './path-style';
import { displayPath, joinBelowRoot, parseRequestPath, type PathField } from './request-path';
import { errnoCode, realDirectory, resolveReal, type RealpathFn } from './resolve-real';

export type FileOpsConfig = ButlerConfig['fileOps'];

export interface FileOpsDeps {
  style: PathStyle;
  realpath: RealpathFn;
  /** Opens a copy's source; tests substitute a stream that fails part-way. */
  openRead: OpenRead;
}

export interface CopyRequest {
  fromFile: string;
  toFile: string;
  overwrite: boolean;
  preserveTimestamp: boolean;
}

export interface MoveRequest {
  fromFile: string;
  toFile: string;
  overwrite: boolean;
}

export interface TransferResult {
  /** Normalised request paths (forward slashes, `%23` decoded), as echoed to the caller. */
  fromFile: string;
  toFile: string;
  /** False when the destination existed and `overwrite` was false (copy only). */
  done: boolean;
}

const GONE = new Set(['ENOENT', 'ENOTDIR']);

export class FileOperations {
  private readonly rules: PathRules;
  private readonly openRead: OpenRead;

  constructor(
    private readonly config: FileOpsConfig,
    deps: Partial<FileOpsDeps> = {},
  ) {
    this.rules = { style: deps.style ?? hostPathStyle(), realpath: deps.realpath ?? ((p) => fs.realpath(p)) };
    this.openRead = deps.openRead ?? openReadStream;
  }

  async copy(request: CopyRequest): Promise<TransferResult> {
    const operation = 'file copy';
    const from = this.parse(request.fromFile, { field: 'fromFile', operation });
    const to = this.parse(request.toFile, { field: 'toFile', operation });
    const fromReal = await this.resolve(from, 'fromFile');
    const toReal = await this.resolve(to, 'toFile');
    if (!(await pairApproves(fromReal, toReal, this.config.copy, this.rules))) {
      throw new ApiError('FILE_NOT_APPROVED', 'No approved fromDir/toDir for file copy');
    }
    const result = { fromFile: this.show(from), toFile: this.show(to) };
    const sourceStats = await this.sourceFile(fromReal, 'fromFile', result.fromFile);
    if ((await this.destinationExists(toReal, result.toFile)) && !request.overwrite) {
      return { ...result, done: false };
    }
    await this.ensureParent(toReal);
    try {
      await copyFileAtomically(fromReal, toReal, {
        sourceStats,
        preserveTimestamp: request.preserveTimestamp,
        openRead: this.openRead,
      });
    } catch (err) {
      throw fsFailure(err, 'Failed copying file');
    }
    return { ...result, done: true };
  }

  async move(request: MoveRequest): Promise<TransferResult> {
    const operation = 'file move';
    const from = this.parse(request.fromFile, { field: 'fromFile', operation });
    const to = this.parse(request.toFile, { field: 'toFile', operation });
    const fromReal = await this.resolve(from, 'fromFile');
    const toReal = await this.resolve(to, 'toFile');
    if (!(await pairApproves(fromReal, toReal, this.config.move, this.rules))) {
      throw new ApiError('FILE_NOT_APPROVED', 'No approved fromDir/toDir for file move');
    }
    const result = { fromFile: this.show(from), toFile: this.show(to) };
    const sourceStats = await this.sourceFile(fromReal, 'fromFile', result.fromFile);
    if ((await this.destinationExists(toReal, result.toFile)) && !request.overwrite) {
      throw new ApiError(
        'FILE_DESTINATION_EXISTS',
        `toFile already exists and overwrite is false: ${result.toFile}`,
      );
    }
    await this.ensureParent(toReal);
    try {
      await fs.rename(fromReal, toReal);
    } catch (err) {
      if (errnoCode(err) !== 'EXDEV') throw fsFailure(err, 'Failed moving file');
      await this.moveAcrossDevices(fromReal, toReal, sourceStats);
    }
    return { ...result, done: true };
  }

  async deleteFile(deleteFile: string): Promise<void> {
    const target = this.parse(deleteFile, { field: 'deleteFile', operation: 'file delete' });
    const real = await this.resolve(target, 'deleteFile');
    if (!(await dirApproves(real, this.config.delete, this.rules, { allowEqual: false }))) {
      throw new ApiError('FILE_NOT_APPROVED', 'No approved directory for file delete');
    }
    await this.sourceFile(real, 'deleteFile', this.show(target), { regularOnly: false });
    try {
      await fs.unlink(real);
    } catch (err) {
      if (GONE.has(errnoCode(err) ?? '')) {
        throw new ApiError('FILE_NOT_FOUND', `deleteFile does not exist: ${this.show(target)}`);
      }
      throw fsFailure(err, 'Failed deleting file');
    }
  }

  /** `createdir`: an absolute directory below (or equal to) a `fileOps.createDir` root. Idempotent. */
  async createDir(directory: string): Promise<void> {
    const target = this.parse(directory, { field: 'directory', operation: 'directory creation' });
    if (this.config.createDir.length === 0) {
      throw new ApiError(
        'DIR_NOT_APPROVED',
        'No directory is approved for directory creation (fileOps.createDir is empty)',
      );
    }
    const real = await this.resolve(target, 'directory');
    if (!(await dirApproves(real, this.config.createDir, this.rules, { allowEqual: true }))) {
      throw new ApiError('DIR_NOT_APPROVED', 'Directory is not within an approved fileOps.createDir root');
    }
    await this.makeDirectory(real);
  }

  /** `createdirqvd`: `directory` is always taken relative to `fileOps.qvdRoot` (`""` = the root). */
  async createDirInQvdRoot(directory: string): Promise<void> {
    const root = this.config.qvdRoot;
    if (root === null) {
      throw new ApiError('NOT_CONFIGURED', 'fileOps.qvdRoot is not set; /v4/createdirqvd needs it');
    }
    const where = { field: 'directory', operation: 'QVD directory creation' };
    const target = joinBelowRoot(root, directory, where, this.rules.style);
    let rootReal: string | null;
    try {
      rootReal = await realDirectory(root, this.rules.realpath);
    } catch (err) {
      throw fsFailure(err, 'Failed to resolve fileOps.qvdRoot');
    }
    if (rootReal === null) {
      throw new ApiError(
        'NOT_CONFIGURED',
        'fileOps.qvdRoot does not exist; create it or correct the setting',
      );
    }
    const real = await this.resolve(target, 'directory');
    if (!(await dirApproves(real, [rootReal], this.rules, { allowEqual: true }))) {
      throw new ApiError('DIR_NOT_APPROVED', 'Directory must be within the QVD folder');
    }
    await this.makeDirectory(real);
  }

  private parse(raw: string, where: PathField): string {
    return parseRequestPath(raw, where, this.rules.style);
  }

  private show(native: string): string {
    return displayPath(native, this.rules.style);
  }

  private async resolve(native: string, field: string): Promise<string> {
    try {
      return await resolveReal(native, this.rules.style, this.rules.realpath);
    } catch (err) {
      throw resolutionFailure(err, field, `Failed to resolve ${field}`);
    }
  }

  /** The source must exist and be a file: 404, or 400 for a directory (never copied, moved or deleted). */
  private async sourceFile(
    real: string,
    field: string,
    shown: string,
    { regularOnly }: { regularOnly: boolean } = { regularOnly: true },
  ): Promise<Stats> {
    let stats: Stats;
    try {
      stats = await fs.stat(real);
    } catch (err) {
      if (GONE.has(errnoCode(err) ?? '')) {
        throw new ApiError('FILE_NOT_FOUND', `${field} does not exist: ${shown}`);
      }
      throw fsFailure(err, `Failed to read ${field}`);
    }
    if (stats.isDirectory()) throw new ApiError('FILE_IS_DIRECTORY', `${field} is a directory: ${shown}`);
    // A FIFO or device would block or never end a copy.
    if (regularOnly && !stats.isFile()) {
      throw new ApiError('VALIDATION', `body/${field} is not a regular file: ${shown}`);
    }
    return stats;
  }

  /** Whether something is at the destination (a dangling symlink counts); a directory there is 400. */
  private async destinationExists(real: string, shown: string): Promise<boolean> {
    let stats: Stats;
    try {
      stats = await fs.lstat(real);
    } catch (err) {
      if (GONE.has(errnoCode(err) ?? '')) return false;
      throw fsFailure(err, 'Failed to read toFile');
    }
    if (stats.isDirectory()) throw new ApiError('FILE_IS_DIRECTORY', `toFile is a directory: ${shown}`);
    return true;
  }

  /** Creates the destination's missing directories (they were checked to lie inside the approved one). */
  private async ensureParent(real: string): Promise<void> {
    try {
      await fs.mkdir(path.dirname(real), { recursive: true });
    } catch (err) {
      if (errnoCode(err) === 'EEXIST' || errnoCode(err) === 'ENOTDIR') {
        throw new ApiError('FILE_DESTINATION_EXISTS', 'toFile: a file is in the way of its directory');
      }
      throw fsFailure(err, 'Failed to create the destination directory');
    }
  }

  private async makeDirectory(real: string): Promise<void> {
    try {
      await fs.mkdir(real, { recursive: true });
    } catch (err) {
      if (errnoCode(err) === 'EEXIST' || errnoCode(err) === 'ENOTDIR') {
        throw new ApiError('FILE_DESTINATION_EXISTS', 'directory: a file is in the way');
      }
      throw fsFailure(err, 'Failed to create directory');
    }
  }

  /** Rename cannot cross file systems: copy (timestamps kept, as a rename would) and then unlink. */
  private async moveAcrossDevices(fromReal: string, toReal: string, sourceStats: Stats): Promise<void> {
    try {
      await copyFileAtomically(fromReal, toReal, {
        sourceStats,
        preserveTimestamp: true,
        openRead: this.openRead,
      });
      await fs.unlink(fromReal);
    } catch (err) {
      throw fsFailure(err, 'Failed moving file');
    }
  }
}
