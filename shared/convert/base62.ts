/**
 * Arbitrary-precision conversion between Butler's base62 (0-9a-zA-Z, Qlik's short ids) and hex.
 * BigInt removes Butler's precision limits; a foreign digit is the caller's error, not a 500.
 */
import { ApiError } from '../http/errors';

const BASE62 = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const BASE16 = '0123456789abcdef';

function parse(text: string, alphabet: string, field: string): bigint {
  const base = BigInt(alphabet.length);
  let value = 0n;
  for (const ch of text) {
    const digit = alphabet.indexOf(ch);
    if (digit < 0) {
      throw new ApiError(
        'INVALID_DIGITS',
        `${field} contains '${ch}', which is not a ${alphabet.length === 62 ? 'base62 (0-9a-zA-Z)' : 'base16 (0-9a-f)'} digit`,
      );
    }
    value = value * base + BigInt(digit);
  }
  return value;
}

function format(value: bigint, alphabet: string): string {
  const base = BigInt(alphabet.length);
  if (value === 0n) return '0';
  let out = '';
  for (let rest = value; rest > 0n; rest /= base) out = alphabet[Number(rest % base)]! + out;
  return out;
}

export function base62ToBase16(base62: string): string {
  return format(parse(base62, BASE62, 'base62'), BASE16);
}

export function base16ToBase62(base16: string): string {
  return format(parse(base16.toLowerCase(), BASE16, 'base16'), BASE62);
}
