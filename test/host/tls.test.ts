/** HTTPS, mTLS, the client certificate header, HSTS and the client allow-list. */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { after, afterEach, before, describe, it } from 'node:test';
import { createTestPki, type TestPki } from '../helpers/pki';
import { startFixtureHost, type FixtureHost } from './fixture-host';
import { call, json } from './http-client';

let pki: TestPki;
let fx: FixtureHost | undefined;
before(async () => {
  pki = await createTestPki();
});
afterEach(async () => {
  await fx?.host.close();
  fx = undefined;
});
after(async () => {
  await fs.rm(pki.dir, { recursive: true, force: true });
});

async function tlsOptions(withClient?: 'client' | 'rogue'): Promise<Record<string, Buffer | string>> {
  const options: Record<string, Buffer | string> = {
    ca: await fs.readFile(pki.caCert),
    servername: 'localhost',
  };
  if (withClient === 'client') {
    options.cert = await fs.readFile(pki.clientCert);
    options.key = await fs.readFile(pki.clientKey);
  } else if (withClient === 'rogue') {
    options.cert = await fs.readFile(pki.rogueCert);
    options.key = await fs.readFile(pki.rogueKey);
  }
  return options;
}

describe('HTTPS', () => {
  it('serves over TLS with the given certificate and drops a client-sent X-ARR-ClientCert', async () => {
    fx = await startFixtureHost({ tls: { cert: pki.serverCert, key: pki.serverKey } });
    assert.match(fx.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const reply = await call(`${fx.url}/clientcert`, {
      tls: await tlsOptions(),
      headers: { 'x-arr-clientcert': 'forged' },
    });
    assert.equal(reply.status, 200);
    assert.equal(json(reply).clientCert, null);
  });

  it('sends HSTS only over HTTPS and never for localhost', async () => {
    const hostJson = {
      extensions: { http: { hsts: { isEnabled: true, maxAge: '1.00:00:00', includeSubDomains: true } } },
    };
    fx = await startFixtureHost({ tls: { cert: pki.serverCert, key: pki.serverKey }, hostJson });
    const tls = await tlsOptions();
    const named = await call(`${fx.url}/noreturn`, { tls, headers: { host: `sensesim:${fx.host.port}` } });
    assert.equal(named.headers['strict-transport-security'], 'max-age=86400; includeSubDomains');
    const local = await call(`${fx.url}/noreturn`, { tls, headers: { host: `localhost:${fx.host.port}` } });
    assert.equal(local.headers['strict-transport-security'], undefined);
    await fx.host.close();
    fx = await startFixtureHost({ hostJson });
    const plain = await call(`${fx.url}/noreturn`, { headers: { host: `sensesim:${fx.host.port}` } });
    assert.equal(plain.headers['strict-transport-security'], undefined);
  });

  it('fails start-up with a clear message for an unreadable certificate', async () => {
    await assert.rejects(
      startFixtureHost({ tls: { cert: `${pki.dir}/missing.pem`, key: pki.serverKey } }),
      /Cannot read the TLS certificate file .*missing\.pem: ENOENT/,
    );
    await assert.rejects(
      startFixtureHost({ tls: { cert: pki.serverCert, key: pki.clientKey } }),
      (err: Error) =>
        /Cannot use the TLS certificate\/key/.test(err.message) && !err.message.includes('PRIVATE KEY'),
    );
  });
});

describe('mTLS', () => {
  it('refuses a client without a certificate or with a rogue one, and accepts the CA-signed client', async () => {
    fx = await startFixtureHost({ tls: { cert: pki.serverCert, key: pki.serverKey, clientCa: pki.caCert } });
    await assert.rejects(call(`${fx.url}/admin/host/ping`, { tls: await tlsOptions() }));
    await assert.rejects(call(`${fx.url}/admin/host/ping`, { tls: await tlsOptions('rogue') }));
    const reply = await call(`${fx.url}/clientcert`, { tls: await tlsOptions('client') });
    assert.equal(reply.status, 200);
    const expected = new X509Certificate(await fs.readFile(pki.clientCert)).raw.toString('base64');
    assert.equal(
      json(reply).clientCert,
      expected,
      'X-ARR-ClientCert carries the verified certificate (DER, base64)',
    );
  });
});

describe('client allow-list', () => {
  it('refuses a client outside the list with 403 JSON and logs its address', async () => {
    fx = await startFixtureHost({ allow: '10.0.0.0/8' });
    const reply = await call(`${fx.url}/noreturn`);
    assert.equal(reply.status, 403);
    assert.deepEqual(json(reply), {
      statusCode: 403,
      error: 'Forbidden',
      message: 'Client address not allowed',
      code: 'CLIENT_NOT_ALLOWED',
    });
    await fx.logs.waitFor((line) => line.includes('127.0.0.1') && /allow-list/.test(line));
    assert.equal((await call(`${fx.url}/admin/host/ping`)).status, 403, 'before everything else');
  });

  it('lets a listed client through', async () => {
    fx = await startFixtureHost({ allow: '10.0.0.0/8,127.0.0.1' });
    assert.equal((await call(`${fx.url}/noreturn`)).status, 204);
  });
});
