/** Checks on namespace and key names shared by every path that writes the key-value store. */
import { ApiError } from '../http/errors';

/** Butler answered 404 for longer path segments; here both are refused with 400 (docs/state.md). */
export const MAX_NAME_LENGTH = 100;

// C0 and C1 control characters, and UTF-16 surrogates that are not part of a pair.
const BAD_CHARACTER =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u001f\u007f-\u009f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export function utf8Bytes(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

// Printable ASCII only: the usual name, which cannot hold a bad character (checked first, as it is cheaper).
const PLAIN = /^[\x20-\x7e]+$/;

/** Throws 400 VALIDATION naming the field. */
export function checkName(field: 'namespace' | 'key', value: string, where = ''): void {
  if (value.length > 0 && value.length <= MAX_NAME_LENGTH && PLAIN.test(value)) return;
  const name = where ? `${where}/${field}` : field;
  if (value.length === 0) throw new ApiError('VALIDATION', `${name} must NOT have fewer than 1 characters`);
  if (value.length > MAX_NAME_LENGTH) {
    throw new ApiError('VALIDATION', `${name} must NOT have more than ${MAX_NAME_LENGTH} characters`);
  }
  if (BAD_CHARACTER.test(value)) {
    throw new ApiError('VALIDATION', `${name} must not contain control characters or unpaired surrogates`);
  }
}
