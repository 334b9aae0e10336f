import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError } from '../../shared/http/errors';
import { effectiveMethod } from '../../shared/http/method-override';
import { validate } from '../../shared/http/validation';

function apiErrorWith(code: string, message?: string) {
  return (err: unknown) =>
    err instanceof ApiError && err.code === code && (message === undefined || err.message === message);
}

test('method override applies only to POST and is case-insensitive', () => {
  assert.equal(effectiveMethod('POST', 'delete'), 'DELETE');
  assert.equal(effectiveMethod('POST', 'Put'), 'PUT');
  assert.equal(effectiveMethod('POST', null), 'POST');
  assert.equal(effectiveMethod('GET', 'DELETE'), 'GET');
  assert.equal(effectiveMethod('PUT', 'DELETE'), 'PUT');
});

test('an unknown override token is BAD_METHOD_OVERRIDE', () => {
  assert.throws(() => effectiveMethod('POST', 'FOO'), apiErrorWith('BAD_METHOD_OVERRIDE'));
  assert.throws(() => effectiveMethod('POST', 'PATCH'), apiErrorWith('BAD_METHOD_OVERRIDE'));
});

const kvSchema = {
  type: 'object',
  required: ['key', 'value'],
  properties: {
    key: { type: 'string' },
    value: { type: 'string' },
    ttl: { type: 'number' },
    overwrite: { type: 'boolean', default: false },
  },
};

test('coercions the Qlik REST connector relies on', () => {
  const out = validate<Record<string, unknown>>('body', kvSchema, {
    key: 'k',
    value: 2,
    ttl: '3000',
    overwrite: 'true',
  });
  assert.deepEqual(out, { key: 'k', value: '2', ttl: 3000, overwrite: true });
  const nullTtl = validate<Record<string, unknown>>('body', kvSchema, { key: 'k', value: true, ttl: null });
  assert.deepEqual(nullTtl, { key: 'k', value: 'true', ttl: 0, overwrite: false });
});

test('"" for an optional boolean or number counts as absent', () => {
  const out = validate<Record<string, unknown>>('body', kvSchema, {
    key: 'k',
    value: 'v',
    ttl: '',
    overwrite: '',
  });
  assert.deepEqual(out, { key: 'k', value: 'v', overwrite: false });
});

test('messages name the field the way Butler did', () => {
  assert.throws(
    () => validate('querystring', kvSchema, { value: 'v' }),
    apiErrorWith('VALIDATION', "querystring must have required property 'key'"),
  );
  assert.throws(
    () => validate('body', kvSchema, { key: 'k', value: { nested: true } }),
    apiErrorWith('VALIDATION', 'body/value must be string'),
  );
  assert.throws(
    () => validate('body', kvSchema, { key: 'k', value: 'v', overwrite: 'yes' }),
    apiErrorWith('VALIDATION', 'body/overwrite must be boolean'),
  );
  assert.throws(
    () => validate('body', kvSchema, undefined),
    apiErrorWith('VALIDATION', 'body must be object'),
  );
});
