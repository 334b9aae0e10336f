/**
 * Reversible encoding of PartitionKey and RowKey values for Azure Table storage. Azure forbids
 * `/ \ # ?` and control characters in keys, and `%` and `'` break some service and emulator paths, so
 * every ASCII character other than letters, digits, `.`, `_` and `-`, every C1 control character and
 * every lone surrogate is written as `!` + two hex digits (or `!u` + four for surrogates). Other
 * characters pass unchanged, so keys stay readable in Storage Explorer.
 */

/** Azure's limit is 1 KiB per key; UTF-16 code units are two bytes. */
export const MAX_ENCODED_KEY_UNITS = 512;

const PLAIN = /^[A-Za-z0-9._-]$/;

function isLoneSurrogate(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff) {
    const next = s.charCodeAt(i + 1);
    return !(next >= 0xdc00 && next <= 0xdfff);
  }
  if (c >= 0xdc00 && c <= 0xdfff) {
    const prev = s.charCodeAt(i - 1);
    return !(prev >= 0xd800 && prev <= 0xdbff);
  }
  return false;
}

export function encodeTableKey(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const ch = value.charAt(i);
    const code = value.charCodeAt(i);
    if (code < 0xa0 && !PLAIN.test(ch)) out += `!${code.toString(16).padStart(2, '0')}`;
    else if (isLoneSurrogate(value, i)) out += `!u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  if (out.length > MAX_ENCODED_KEY_UNITS) {
    throw new RangeError(
      `A state key is too long for Azure Table storage once encoded (${out.length} > ${MAX_ENCODED_KEY_UNITS} characters)`,
    );
  }
  return out;
}

export function decodeTableKey(encoded: string): string {
  return encoded.replace(/!(u[0-9a-f]{4}|[0-9a-f]{2})/g, (_m, hex: string) =>
    String.fromCharCode(Number.parseInt(hex.startsWith('u') ? hex.slice(1) : hex, 16)),
  );
}
