/**
 * The spec layer (shared/http/spec.ts): path parameters are validated by the spec with the one GUID
 * check, defaulted properties are filled in, and a spec that leaves a route parameter undeclared is refused.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Type } from '@sinclair/typebox';
import { method, registerEndpoint, reply } from '../../shared/http/endpoint';
import { ApiError } from '../../shared/http/errors';
import { Guid, ObjectWithDefaults } from '../../shared/http/schemas';
import { validate } from '../../shared/http/validation';

const GUID = '0A1B2C3D-4E5F-4a6b-8c7d-9e0f1a2b3c4d';

test('a Guid path parameter accepts any case and names the field when it is not a GUID', () => {
  const params = Type.Object({ appId: Guid });
  assert.deepEqual(validate('params', params, { appId: GUID }), { appId: GUID });
  assert.throws(
    () => validate('params', params, { appId: 'not-an-app' }),
    (err: unknown) =>
      err instanceof ApiError &&
      err.code === 'VALIDATION' &&
      err.message === "params/appId must be a GUID; got 'not-an-app'",
  );
});

test('ObjectWithDefaults: a defaulted property is optional on the wire and filled in', () => {
  const body = ObjectWithDefaults({ path: Type.String(), overwrite: Type.Boolean({ default: false }) });
  assert.deepEqual((body as { required?: string[] }).required, ['path']);
  assert.deepEqual(validate('body', body, { path: '/a' }), { path: '/a', overwrite: false });
  assert.throws(() => validate('body', body, {}), /body must have required property 'path'/);
});

test('a spec whose params do not name exactly the route parameters is refused at registration', () => {
  const op = method({
    id: 'probe',
    summary: 'probe',
    enabledBy: 'butlerping',
    replies: { 204: reply('nothing') },
    handle: () => ({ status: 204 }),
  });
  assert.throws(() => registerEndpoint('probe', 'v4/probe/{id}', { GET: op }), /params declares \[\], route/);
});

test('of several operations on one verb, only the last may serve every value (no segment)', () => {
  const params = Type.Object({ id: Type.String() });
  const any = method({
    id: 'probe-any',
    summary: 'any id',
    enabledBy: 'butlerping',
    params,
    replies: { 204: reply('nothing') },
    handle: () => ({ status: 204 }),
  });
  const all = method({
    id: 'probe-all',
    summary: 'the literal all',
    enabledBy: 'butlerping',
    segment: { param: 'id', literal: 'all' },
    params,
    replies: { 204: reply('nothing') },
    handle: () => ({ status: 204 }),
  });
  assert.throws(
    () => registerEndpoint('probe-order', 'v4/probe-order/{id}', { PUT: [any, all] }),
    /probe-any has no segment but is not the last operation/,
  );
});
