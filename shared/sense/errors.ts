/**
 * Sense-specific error types. `SenseError` is an `ApiError` that also remembers the HTTP status Qlik Sense
 * answered, so endpoints can report it (e.g. `tasksFailed[].statusCode`). `EngineError` is the raw JSON-RPC
 * error of the Engine; the app flows translate it into an `ApiError` with `engineErrorToApiError`.
 */
import { ApiError, type ErrorCode } from '../http/errors';
import { errorMessage } from '../log';

export class SenseError extends ApiError {
  /** The status QRS answered, when the failure is an HTTP answer rather than a transport problem. */
  readonly upstreamStatus?: number;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; upstreamStatus?: number }) {
    super(code, message, options);
    this.name = 'SenseError';
    if (options?.upstreamStatus !== undefined) this.upstreamStatus = options.upstreamStatus;
  }
}

/** A JSON-RPC `error` object answered by the Engine (docs/sense-facts.md §10.1). */
export class EngineError extends Error {
  readonly code: number;
  readonly parameter: string;
  /** The Engine method that failed. */
  readonly method: string;

  constructor(code: number, parameter: string, message: string, method: string) {
    super(message);
    this.name = 'EngineError';
    this.code = code;
    this.parameter = parameter;
    this.method = method;
  }
}

/** Engine error code for "app not found" (OpenDoc on an unknown id). */
export const ENGINE_APP_NOT_FOUND = 1003;

/**
 * Translates any failure of an Engine flow into an `ApiError`: 1003 → APP_NOT_FOUND, other Engine errors →
 * SENSE_ERROR with code and message; `ApiError`s pass through unchanged.
 */
export function engineErrorToApiError(err: unknown, appId?: string): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof EngineError) {
    if (err.code === ENGINE_APP_NOT_FOUND) {
      return new ApiError('APP_NOT_FOUND', `App ${appId ?? err.parameter} was not found in Qlik Sense`, {
        cause: err,
      });
    }
    const parameter = err.parameter ? ` (${err.parameter})` : '';
    return new SenseError(
      'SENSE_ERROR',
      `Qlik Sense Engine error ${err.code} in ${err.method}: ${err.message}${parameter}`,
      { cause: err },
    );
  }
  const text = errorMessage(err);
  return new SenseError('SENSE_ERROR', `Qlik Sense Engine request failed: ${text}`, { cause: err });
}
