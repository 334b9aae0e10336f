import assert from 'node:assert/strict';
import { test } from 'node:test';
import { base16ToBase62, base62ToBase16 } from '../../shared/convert/base62';
import { ApiError } from '../../shared/http/errors';

test('base62 → base16 matches Butler for a Qlik id', () => {
  assert.equal(base62ToBase16('6DMW88LpSok9Z7P7hUK0wv7bF'), '3199af08bfeeaf5d420f27ed9c01e74370077');
});

test('base16 → base62 round-trips, drops leading zeros and ignores hex case', () => {
  assert.equal(base16ToBase62('3199af08bfeeaf5d420f27ed9c01e74370077'), '6DMW88LpSok9Z7P7hUK0wv7bF');
  assert.equal(base16ToBase62('000abc'), 'Ik');
  assert.equal(base16ToBase62('000ABC'), 'Ik');
});

test('empty input converts to "0"', () => {
  assert.equal(base62ToBase16(''), '0');
  assert.equal(base16ToBase62(''), '0');
});

test('values beyond 2^53 keep every digit', () => {
  const hex = 'f'.repeat(64);
  assert.equal(base62ToBase16(base16ToBase62(hex)), hex);
});

test('a foreign digit is INVALID_DIGITS naming the character', () => {
  assert.throws(
    () => base16ToBase62('12g4'),
    (err: unknown) => err instanceof ApiError && err.code === 'INVALID_DIGITS' && err.message.includes("'g'"),
  );
  assert.throws(
    () => base62ToBase16('ab-c'),
    (err: unknown) => err instanceof ApiError && err.code === 'INVALID_DIGITS' && err.statusCode === 400,
  );
});
