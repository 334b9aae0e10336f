/** The QRS anti-CSRF key (docs/sense-facts.md §3.1): 16 characters from [0-9A-Za-z], fresh for every request. */
import { randomInt } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
export const XRFKEY_LENGTH = 16;

export function newXrfkey(): string {
  let key = '';
  for (let i = 0; i < XRFKEY_LENGTH; i++) key += ALPHABET.charAt(randomInt(ALPHABET.length));
  return key;
}
