/** Function keys, auth levels, disabled functions and the admin endpoints. */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { recorder } from '../fixtures/conformance-app/lib/recorder';
import { startFixtureHost, waitForEvent, type FixtureHost } from './fixture-host';
import { call, json } from './http-client';

describe('function keys', () => {
  let fx: FixtureHost;
  let keysDir: string;
  const functionKey = 'echo-only-key-0123456789abcdefghijklmnop';
  before(async () => {
    keysDir = await fs.mkdtemp(path.join(os.tmpdir(), 'butler-auth-keys-'));
    await fs.rm(keysDir, { recursive: true }); // a missing directory is created too
    fx = await startFixtureHost({ keysDir, settings: { 'AzureWebJobs.switchedoff.Disabled': 'true' } });
  });
  after(async () => {
    await fx?.host.close();
    await fs.rm(keysDir, { recursive: true, force: true });
  });

  it('generates host.master and host.function.default (mode 0600) on first start and never logs them', async () => {
    const names = (await fs.readdir(keysDir)).sort();
    assert.deepEqual(names, ['host.function.default', 'host.master']);
    for (const name of names) {
      const stat = await fs.stat(path.join(keysDir, name));
      assert.equal(stat.mode & 0o777, 0o600, `${name} mode`);
    }
    const master = fx.host.keys.master;
    const byDefault = fx.host.keys.default ?? '';
    assert.ok(master.length >= 43 && byDefault.length >= 43, 'at least 32 random bytes, base64url');
    assert.equal((await fs.readFile(path.join(keysDir, 'host.master'), 'utf8')).trim(), master);
    assert.ok(fx.logs.text().includes(keysDir), 'the key directory is logged');
    assert.ok(!fx.logs.text().includes(master) && !fx.logs.text().includes(byDefault), 'no key in the log');
  });

  it('answers 401 with an empty body for a missing or wrong key', async () => {
    for (const headers of [{}, { 'x-functions-key': 'wrong' }] as Record<string, string>[]) {
      const reply = await call(`${fx.url}/secret`, { headers });
      assert.equal(reply.status, 401);
      assert.equal(reply.body.length, 0);
    }
    assert.equal((await call(`${fx.url}/secret?code=wrong`)).status, 401);
  });

  it('accepts the key in the header or in ?code=, and the header wins', async () => {
    const key = fx.host.keys.default ?? '';
    assert.equal((await call(`${fx.url}/secret`, { headers: { 'x-functions-key': key } })).status, 200);
    assert.equal((await call(`${fx.url}/secret?code=${encodeURIComponent(key)}`)).status, 200);
    const rescued = await call(`${fx.url}/secret?code=${encodeURIComponent(key)}`, {
      headers: { 'x-functions-key': 'wrong' },
    });
    assert.equal(rescued.status, 401, 'a wrong header is not rescued by a right code');
    const headerWins = await call(`${fx.url}/secret?code=wrong`, { headers: { 'x-functions-key': key } });
    assert.equal(headerWins.status, 200);
  });

  it('lets the master key call function-level functions, and only it call admin-level ones', async () => {
    const master = { 'x-functions-key': fx.host.keys.master };
    assert.equal((await call(`${fx.url}/secret`, { headers: master })).status, 200);
    const adminWithDefault = await call(`${fx.url}/secure/admin`, {
      headers: { 'x-functions-key': fx.host.keys.default ?? '' },
    });
    assert.equal(adminWithDefault.status, 401);
    const adminWithMaster = await call(`${fx.url}/secure/admin`, { headers: master });
    assert.equal(adminWithMaster.status, 200);
    assert.equal(adminWithMaster.text, 'admin ok');
  });

  it('answers 404 for a disabled function unless the caller has the master key', async () => {
    const anonymous = await call(`${fx.url}/switchedoff`);
    assert.equal(anonymous.status, 404);
    assert.equal(
      (await call(`${fx.url}/switchedoff`, { headers: { 'x-functions-key': fx.host.keys.master } })).status,
      200,
    );
  });

  it('serves /admin/host/status to the master key only', async () => {
    assert.equal((await call(`${fx.url}/admin/host/status`)).status, 401);
    const key = { 'x-functions-key': fx.host.keys.default ?? '' };
    assert.equal((await call(`${fx.url}/admin/host/status`, { headers: key })).status, 401);
    const reply = await call(`${fx.url}/admin/host/status`, {
      headers: { 'x-functions-key': fx.host.keys.master },
    });
    assert.equal(reply.status, 200);
    assert.equal(json(reply).state, 'Running');
  });

  it('runs a timer through POST /admin/functions/{name} with the master key (202), refuses others (401)', async () => {
    const body = JSON.stringify({ input: '' });
    const headers = { 'content-type': 'application/json' };
    assert.equal(
      (await call(`${fx.url}/admin/functions/tick`, { method: 'POST', body, headers })).status,
      401,
    );
    const withDefault = await call(`${fx.url}/admin/functions/tick`, {
      method: 'POST',
      body,
      headers: { ...headers, 'x-functions-key': fx.host.keys.default ?? '' },
    });
    assert.equal(withDefault.status, 401);
    const fired = waitForEvent<{ isPastDue: boolean }>(recorder.events, 'timer');
    const accepted = await call(`${fx.url}/admin/functions/tick`, {
      method: 'POST',
      body,
      headers: { ...headers, 'x-functions-key': fx.host.keys.master },
    });
    assert.equal(accepted.status, 202);
    assert.equal((await fired).isPastDue, false);
    const unknown = await call(`${fx.url}/admin/functions/nope`, {
      method: 'POST',
      body,
      headers: { ...headers, 'x-functions-key': fx.host.keys.master },
    });
    assert.equal(unknown.status, 404);
  });

  it('honours a function-specific key for that function only (after a restart with the key file)', async () => {
    await fx.host.close();
    assert.equal(process.env['AzureWebJobs.switchedoff.Disabled'], undefined, 'settings restored on close');
    await fs.writeFile(path.join(keysDir, 'functions.echo.mine'), functionKey, { mode: 0o600 });
    fx = await startFixtureHost({ keysDir });
    const headers = { 'x-functions-key': functionKey };
    assert.equal((await call(`${fx.url}/echo/x`, { headers })).status, 200);
    assert.equal((await call(`${fx.url}/secret`, { headers })).status, 401);
    assert.equal((await call(`${fx.url}/switchedoff`)).status, 200, 'no longer disabled');
  });
});
