/**
 * Butler's file operations (#5–#9): PUT /v4/filecopy, PUT /v4/filemove, DELETE /v4/filedelete,
 * POST /v4/createdir, POST /v4/createdirqvd. The rules live in shared/fileops; see
 * docs/file-operations.md.
 */
import type { InvocationContext } from '@azure/functions';
import { method, registerEndpoint } from '../shared/http/endpoint';
import { isApiError } from '../shared/http/errors';
import type { CopyRequest, MoveRequest } from '../shared/fileops/file-operations';
import { errorMessage } from '../shared/log';

// Far above any real path (Windows without \\?\ stops at 260), small enough to bound the work.
const MAX_PATH_CHARS = 4096;
const pathField = { type: 'string', maxLength: MAX_PATH_CHARS };
const flag = { type: 'boolean', default: false };

const copyBody = {
  type: 'object',
  required: ['fromFile', 'toFile'],
  properties: { fromFile: pathField, toFile: pathField, overwrite: flag, preserveTimestamp: flag },
};

const moveBody = {
  type: 'object',
  required: ['fromFile', 'toFile'],
  properties: { fromFile: pathField, toFile: pathField, overwrite: flag },
};

const deleteBody = {
  type: 'object',
  required: ['deleteFile'],
  properties: { deleteFile: pathField },
};

// Numbers are coerced to strings (a script may send `2020`), as Butler's validation did.
const directoryBody = {
  type: 'object',
  required: ['directory'],
  properties: { directory: pathField },
};

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
  PUT: method<Record<string, unknown>, CopyRequest>({
    enabledBy: 'fileCopy',
    body: copyBody,
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
  PUT: method<Record<string, unknown>, MoveRequest>({
    enabledBy: 'fileMove',
    body: moveBody,
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
  DELETE: method<Record<string, unknown>, { deleteFile: string }>({
    enabledBy: 'fileDelete',
    body: deleteBody,
    handle: async ({ body, services, ctx }) => {
      await logFsFailure(ctx, services.fileOps.deleteFile(body.deleteFile));
      return { status: 204 };
    },
  }),
});

registerEndpoint('createdir', 'v4/createdir', {
  POST: method<Record<string, unknown>, { directory: string }>({
    enabledBy: 'createDir',
    body: directoryBody,
    handle: async ({ body, services, ctx }) => {
      await logFsFailure(ctx, services.fileOps.createDir(body.directory));
      return { status: 201, body: { directory: body.directory } };
    },
  }),
});

registerEndpoint('createdirqvd', 'v4/createdirqvd', {
  POST: method<Record<string, unknown>, { directory: string }>({
    enabledBy: 'createDirQVD',
    body: directoryBody,
    handle: async ({ body, services, ctx }) => {
      await logFsFailure(ctx, services.fileOps.createDirInQvdRoot(body.directory));
      return { status: 201, body: { directory: body.directory } };
    },
  }),
});
