/** Error mapping and credential checks: every message names the setting an administrator must fix. */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApiError } from '../../shared/http/errors';
import { SenseClient } from '../../shared/sense/client';
import { loadCredentials } from '../../shared/sense/credentials';
import { EngineError, SenseError, engineErrorToApiError } from '../../shared/sense/errors';
import { mapTransportError, type SenseTarget } from '../../shared/sense/transport-errors';
import { createTestPki, type TestPki } from '../helpers/pki';
import { senseConfig } from './setup';

function coded(code: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(`boom ${code}`), { code, ...extra });
}

describe('mapTransportError', () => {
  let pki: TestPki;
  let target: SenseTarget;
  before(async () => {
    pki = await createTestPki();
    target = {
      service: 'QRS',
      host: '10.0.0.5',
      port: 4242,
      cfg: senseConfig(pki, { qrsPort: 4242, enginePort: 4747 }),
    };
  });
  after(async () => {
    await fs.rm(pki.dir, { recursive: true, force: true });
  });

  it('maps unreachable hosts to 503 SENSE_UNAVAILABLE', () => {
    for (const code of ['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH']) {
      const err = mapTransportError(coded(code), target);
      assert.equal(err.code, 'SENSE_UNAVAILABLE');
      assert.equal(err.statusCode, 503);
      assert.equal(err.message, `Qlik Sense QRS at 10.0.0.5:4242 is not reachable: ${code}`);
    }
  });

  it('finds the code inside an AggregateError and a cause chain', () => {
    const aggregate = Object.assign(new AggregateError([coded('ECONNREFUSED')], 'x'), {});
    assert.equal(mapTransportError(aggregate, target).code, 'SENSE_UNAVAILABLE');
    const wrapped = new TypeError('fetch failed', { cause: coded('UND_ERR_HEADERS_TIMEOUT') });
    assert.equal(mapTransportError(wrapped, target).code, 'UPSTREAM_TIMEOUT');
  });

  it('maps undici timeouts to 504 naming sense.timeoutMs', () => {
    for (const code of ['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']) {
      const err = mapTransportError(coded(code), target);
      assert.equal(err.statusCode, 504);
      assert.match(err.message, /sense\.timeoutMs/);
    }
  });

  it('maps an unknown CA to 502 naming sense.ca and its file', () => {
    const err = mapTransportError(coded('SELF_SIGNED_CERT_IN_CHAIN'), target);
    assert.equal(err.code, 'SENSE_ERROR');
    assert.ok(err.message.includes('sense.ca'));
    assert.ok(err.message.includes(pki.caCert));
    const noCa = mapTransportError(coded('UNABLE_TO_VERIFY_LEAF_SIGNATURE'), {
      ...target,
      cfg: { ...target.cfg, ca: null },
    });
    assert.match(noCa.message, /sense\.ca is not set/);
  });

  it('maps a name mismatch to 502 naming the checked name and sense.serverName', () => {
    const cfg = { ...target.cfg, serverName: 'wrong.example' };
    const err = mapTransportError(
      coded('ERR_TLS_CERT_ALTNAME_INVALID', { reason: 'Host: wrong.example. is not in the cert' }),
      {
        ...target,
        cfg,
      },
    );
    assert.equal(err.statusCode, 502);
    assert.match(err.message, /'wrong\.example'/);
    assert.match(err.message, /sense\.serverName/);
  });

  it('maps a dropped connection or TLS alert to 502 naming sense.cert', () => {
    for (const code of ['UND_ERR_SOCKET', 'ECONNRESET', 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED']) {
      const err = mapTransportError(coded(code), target);
      assert.equal(err.statusCode, 502);
      assert.ok(err.message.includes(`sense.cert (${pki.clientCert})`), err.message);
    }
  });

  it('passes ApiErrors through and never loses an unknown error', () => {
    const api = new ApiError('INTERNAL', 'x');
    assert.equal(mapTransportError(api, target), api);
    const err = mapTransportError(new Error('weird'), target);
    assert.equal(err.code, 'SENSE_ERROR');
    assert.match(err.message, /weird/);
  });
});

describe('engineErrorToApiError', () => {
  it('maps 1003 to APP_NOT_FOUND and other codes to SENSE_ERROR with code and message', () => {
    const notFound = engineErrorToApiError(new EngineError(1003, 'abc', 'App not found', 'OpenDoc'), 'abc');
    assert.equal(notFound.code, 'APP_NOT_FOUND');
    assert.equal(notFound.statusCode, 404);
    const busy = engineErrorToApiError(new EngineError(11000, '', 'Reload in progress', 'DoReload'));
    assert.equal(busy.code, 'SENSE_ERROR');
    assert.match(busy.message, /11000 in DoReload: Reload in progress/);
    const timeout = new SenseError('UPSTREAM_TIMEOUT', 't');
    assert.equal(engineErrorToApiError(timeout), timeout);
  });
});

describe('credentials', () => {
  let pki: TestPki;
  before(async () => {
    pki = await createTestPki();
  });
  after(async () => {
    await fs.rm(pki.dir, { recursive: true, force: true });
  });

  const ports = { qrsPort: 1, enginePort: 2 };

  it('loads a matching certificate, key and CA', async () => {
    const creds = await loadCredentials(senseConfig(pki, ports));
    assert.match(creds.cert, /BEGIN CERTIFICATE/);
    assert.match(creds.ca ?? '', /BEGIN CERTIFICATE/);
  });

  it('names the setting and path of a missing file', async () => {
    const missing = path.join(pki.dir, 'nope.pem');
    await assert.rejects(loadCredentials(senseConfig(pki, ports, { ca: missing })), (err: SenseError) => {
      assert.equal(err.code, 'NOT_CONFIGURED');
      assert.equal(err.message, `sense.ca file ${missing} cannot be read (ENOENT)`);
      return true;
    });
  });

  it('rejects a file that is not PEM and a key that does not belong to the certificate', async () => {
    const junk = path.join(pki.dir, 'junk.pem');
    await fs.writeFile(junk, 'hello');
    await assert.rejects(
      loadCredentials(senseConfig(pki, ports, { cert: junk })),
      /sense\.cert file .*junk\.pem is not a PEM file/,
    );
    await assert.rejects(
      loadCredentials(senseConfig(pki, ports, { key: pki.rogueKey })),
      (err: SenseError) => err.message.includes('does not belong') && !err.message.includes('PRIVATE KEY'),
    );
  });

  it('assertConfigured names every missing setting', () => {
    const client = new SenseClient(senseConfig(pki, ports, { host: null, cert: null }));
    assert.throws(
      () => client.assertConfigured(),
      (err: SenseError) =>
        err.code === 'NOT_CONFIGURED' &&
        err.message === 'Qlik Sense is not configured: sense.host, sense.cert are not set',
    );
    new SenseClient(senseConfig(pki, ports)).assertConfigured();
  });

  it('an unconfigured client fails its calls with NOT_CONFIGURED and closes cleanly', async () => {
    const client = new SenseClient(senseConfig(pki, ports, { key: null }));
    await assert.rejects(client.qrs.getJson('/qrs/about'), {
      code: 'NOT_CONFIGURED',
      message: /sense\.key is not set/,
    });
    await assert.rejects(client.openEngine('/'), { code: 'NOT_CONFIGURED' });
    await client.close();
  });
});
