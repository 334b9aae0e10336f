/**
 * The one error catalogue. Every 4xx/5xx a function writes is built from an entry here, so each
 * failure has a stable machine code and a fixed HTTP status (docs/butler-compatibility.md §2.6).
 */
import { STATUS_CODES } from 'node:http';

export const ERROR_CATALOGUE = {
  VALIDATION: 400,
  INVALID_JSON: 400,
  UNSUPPORTED_MEDIA_TYPE: 415,
  BAD_METHOD_OVERRIDE: 400,
  ROUTE_NOT_FOUND: 404,
  ENDPOINT_DISABLED: 404,
  MISSING_PARAMETER: 400,
  INVALID_DIGITS: 400,
  KV_NAMESPACE_NOT_FOUND: 404,
  KV_KEY_NOT_FOUND: 404,
  KV_NAMESPACE_FULL: 409,
  KV_LIMIT_EXCEEDED: 409,
  KV_VALUE_TOO_LARGE: 413,
  SCHEDULE_NOT_FOUND: 404,
  SCHEDULE_INVALID_CRON: 400,
  SCHEDULE_INVALID_TIMEZONE: 400,
  FILE_NOT_FOUND: 404,
  FILE_NOT_APPROVED: 403,
  DIR_NOT_APPROVED: 403,
  PATH_NOT_ABSOLUTE: 400,
  UNC_NOT_SUPPORTED: 400,
  FILE_IS_DIRECTORY: 400,
  FILE_DESTINATION_EXISTS: 409,
  STATE_CONFLICT: 409,
  STATE_UNAVAILABLE: 503,
  TASK_NOT_FOUND: 404,
  APP_NOT_FOUND: 404,
  RELOAD_NOT_FOUND: 404,
  NOT_CONFIGURED: 503,
  MQTT_DISABLED: 503,
  MQTT_UNAVAILABLE: 503,
  SENSE_UNAVAILABLE: 503,
  SENSE_ERROR: 502,
  SLACK_ERROR: 502,
  NEW_RELIC_ERROR: 502,
  UPSTREAM_TIMEOUT: 504,
  FS_ERROR: 500,
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  code: ErrorCode;
}

/** A failure a caller should see. `message` must be safe to show: no secrets, no stack. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ApiError';
    this.code = code;
    this.statusCode = ERROR_CATALOGUE[code];
  }

  toBody(): ErrorBody {
    return {
      statusCode: this.statusCode,
      error: STATUS_CODES[this.statusCode] ?? 'Error',
      message: this.message,
      code: this.code,
    };
  }
}

export function isApiError(err: unknown): err is ApiError {
  return err instanceof ApiError;
}
