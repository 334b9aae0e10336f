/** The QRS anti-CSRF key (docs/sense-facts.md §3.1): 16 characters from [0-9A-Za-z], fresh for every request. */
import { randomFillSync } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
export const XRFKEY_LENGTH = 16;

/** Bytes at or above this would make `byte % 62` uneven: they are skipped (rejection sampling). */
const UNBIASED_LIMIT = 256 - (256 % ALPHABET.length);

/** Random bytes drawn 1 KiB at a time: one system call per few dozen keys instead of sixteen calls per key. */
const pool = Buffer.alloc(1024);
let used = pool.length;

function randomByte(): number {
  if (used >= pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  return pool[used++]!;
}

export function newXrfkey(): string {
  let key = '';
  while (key.length < XRFKEY_LENGTH) {
    const byte = randomByte();
    if (byte < UNBIASED_LIMIT) key += ALPHABET.charAt(byte % ALPHABET.length);
  }
  return key;
}
