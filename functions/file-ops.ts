/**
 * Butler's file operations (#5–#9): PUT /v4/filecopy, PUT /v4/filemove, DELETE /v4/filedelete,
 * POST /v4/createdir, POST /v4/createdirqvd. The rules live in shared/fileops; see
 * docs/file-operations.md.
 */
import type { InvocationContext } from '@azure/functions';
import { Type } from '@sinclair/typebox';
import { method, registerEndpoint, reply } from '../shared/http/endpoint';
import { isApiError, type ErrorCode } from '../shared/http/errors';
import { ObjectWithDefaults } from '../shared/http/schemas';
import { errorMessage } from '../shared/log';

// Far above any real path (Windows without \\?\ stops at 260), small enough to bound the work.
const MAX_PATH_CHARS = 4096;
const PathField = Type.String({ maxLength: MAX_PATH_CHARS });
const Flag = Type.Boolean({ default: false });

const CopyBody = ObjectWithDefaults({
  fromFile: PathField,
  toFile: PathField,
  overwrite: Flag,
  preserveTimestamp: Flag,
});

const MoveBody = ObjectWithDefaults({ fromFile: PathField, toFile: PathField, overwrite: Flag });
const DeleteBody = Type.Object({ deleteFile: PathField });

// Numbers are coerced to strings (a script may send `2020`), as Butler's validation did.
const DirectoryBody = Type.Object({ directory: Type.String({ maxLength: MAX_PATH_CHARS }) });

const PATH_ERRORS: readonly ErrorCode[] = ['MISSING_PARAMETER', 'PATH_NOT_ABSOLUTE', 'UNC_NOT_SUPPORTED'];
const FILE_ERRORS: readonly ErrorCode[] = [
  ...PATH_ERRORS,
  'FILE_IS_DIRECTORY',
  'FILE_NOT_APPROVED',
  'FILE_NOT_FOUND',
];

/** An FS_ERROR answer names only the errno code; the host log gets the underlying message for the operator. */
async function logFsFailure<T>(ctx: InvocationContext, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (isApiError(err) && err.code === 'FS_ERROR') ctx.error(`${err.message}: ${errorMessage(err.cause)}`);
    throw err;
  }
}

registerEndpoint('filecopy', 'v4/filecopy', {
  PUT: method({
    id: 'filecopy',
    summary: 'Copy a file from an approved fileOps.copy from-directory to its to-directory',
    description:
      'Paths are absolute (C:\\…, \\\\server\\share\\… on Windows; /… elsewhere); %23 is read as #. Symlinks are resolved before the approval check. The destination gets the whole file or nothing (temporary name, then rename). An existing destination with overwrite false is left alone (still 201).',
    enabledBy: 'fileCopy',
    body: CopyBody,
    replies: { 201: reply('The copy (normalised paths)', CopyBody) },
    errors: [...FILE_ERRORS, 'FILE_DESTINATION_EXISTS', 'FS_ERROR'],
    handle: async ({ body, services, ctx }) => {
      // A destination that exists with overwrite false is left alone and still answers 201, as in Butler.
      const result = await logFsFailure(ctx, services.fileOps.copy(body));
      return {
        status: 201,
        body: {
          fromFile: result.fromFile,
          toFile: result.toFile,
          overwrite: body.overwrite,
          preserveTimestamp: body.preserveTimestamp,
        },
      };
    },
  }),
});

registerEndpoint('filemove', 'v4/filemove', {
  PUT: method({
    id: 'filemove',
    summary: 'Move a file from an approved fileOps.move from-directory to its to-directory',
    enabledBy: 'fileMove',
    body: MoveBody,
    replies: { 201: reply('The move (normalised paths)', MoveBody) },
    errors: [...FILE_ERRORS, 'FILE_DESTINATION_EXISTS', 'FS_ERROR'],
    handle: async ({ body, services, ctx }) => {
      const result = await logFsFailure(ctx, services.fileOps.move(body));
      return {
        status: 201,
        body: { fromFile: result.fromFile, toFile: result.toFile, overwrite: body.overwrite },
      };
    },
  }),
});

registerEndpoint('filedelete', 'v4/filedelete', {
  DELETE: method({
    id: 'filedelete',
    summary: 'Delete a file inside an approved fileOps.delete directory (never a directory)',
    enabledBy: 'fileDelete',
    body: DeleteBody,
    replies: { 204: reply('Deleted') },
    errors: [...FILE_ERRORS, 'FS_ERROR'],
    handle: async ({ body, services, ctx }) => {
      await logFsFailure(ctx, services.fileOps.deleteFile(body.deleteFile));
      return { status: 204 };
    },
  }),
});

registerEndpoint('createdir', 'v4/createdir', {
  POST: method({
    id: 'createdir',
    summary: 'Create a directory (and its parents) under a fileOps.createDir root; idempotent',
    enabledBy: 'createDir',
    body: DirectoryBody,
    replies: { 201: reply('The directory as sent', DirectoryBody) },
    errors: [...PATH_ERRORS, 'DIR_NOT_APPROVED', 'FILE_DESTINATION_EXISTS', 'FS_ERROR'],
    handle: async ({ body, services, ctx }) => {
      await logFsFailure(ctx, services.fileOps.createDir(body.directory));
      return { status: 201, body: { directory: body.directory } };
    },
  }),
});

registerEndpoint('createdirqvd', 'v4/createdirqvd', {
  POST: method({
    id: 'createdirqvd',
    summary: 'Create a directory below fileOps.qvdRoot (relative, even when it starts with /); idempotent',
    enabledBy: 'createDirQVD',
    body: DirectoryBody,
    replies: { 201: reply('The directory as sent', DirectoryBody) },
    errors: ['DIR_NOT_APPROVED', 'FILE_DESTINATION_EXISTS', 'FS_ERROR', 'NOT_CONFIGURED'],
    handle: async ({ body, services, ctx }) => {
      await logFsFailure(ctx, services.fileOps.createDirInQvdRoot(body.directory));
      return { status: 201, body: { directory: body.directory } };
    },
  }),
});
