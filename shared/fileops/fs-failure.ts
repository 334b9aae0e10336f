/** File-system errors as API errors: the errno code is shown, never a path or a stack. */
import { ApiError } from '../http/errors';
import { errnoCode } from './resolve-real';

/** Rethrows API errors; anything else becomes 500 FS_ERROR with `what` and the errno code. */
export function fsFailure(err: unknown, what: string): ApiError {
  if (err instanceof ApiError) return err;
  const code = errnoCode(err);
  return new ApiError('FS_ERROR', code ? `${what} (${code})` : what, { cause: err });
}

/** Resolution problems a request can cause on purpose are its own fault (400), naming the field. */
export function resolutionFailure(err: unknown, field: string, what: string): ApiError {
  switch (errnoCode(err)) {
    case 'ELOOP':
      return new ApiError('VALIDATION', `body/${field} passes through a loop of symbolic links`);
    case 'ENAMETOOLONG':
      return new ApiError('VALIDATION', `body/${field} is too long for the file system`);
    default:
      return fsFailure(err, what);
  }
}
