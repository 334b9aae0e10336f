/**
 * The host under pressure: refusals from headers alone, connection-time allow-list answers, request
 * head and body limits, the TLS policy, refusal logs without key material, liveness of a stuck host.
 */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { after, afterEach, before, describe, it } from 'node:test';
import { handlerWaiting, openGate, resetGates } from '../fixtures/conformance-app/lib/recorder';
import { createTestPki, type TestPki } from '../helpers/pki';
import { runCli, stopChild } from '../helpers/cli-process';
import { loadKeyRing } from '../../runtime/keys';
import { prepareConformanceApp } from './fixture-app';
import { startFixtureHost, type FixtureHost } from './fixture-host';
import { call } from './http-client';

let fx: FixtureHost | undefined;
const sockets: net.Socket[] = [];

afterEach(async () => {
  resetGates();
  for (const socket of sockets.splice(0)) socket.destroy();
  await fx?.host.close();
  fx = undefined;
});

interface RawReply {
  text: string;
  /** The server closed the connection. */
  closed: boolean;
}

/** Opens a raw TCP connection, writes `head` (if any) and collects what comes back until close or the bound. */
function rawExchange(port: number, head: string | undefined, boundMs = 5000): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    sockets.push(socket);
    let text = '';
    const timer = setTimeout(() => resolve({ text, closed: false }), boundMs);
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    socket.on('error', (err) => {
      // A reset after the answer still counts as closed.
      clearTimeout(timer);
      if (text) resolve({ text, closed: true });
      else reject(err);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ text, closed: true });
    });
    socket.on('connect', () => {
      if (head !== undefined) socket.write(head);
    });
  });
}

describe('authenticate before waiting', () => {
  it('300 connections that announce a body and send nothing, without a key, do not block a keyed call', async () => {
    fx = await startFixtureHost({
      hostJson: {
        extensions: { http: { maxConcurrentRequests: 2, maxOutstandingRequests: 4 } },
        embeddedHost: { maxConnectionsPerClient: 400 },
      },
    });
    const port = fx.host.port;
    const head = `POST /echo/x HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n`;
    const opened: Promise<RawReply>[] = [];
    const connected: Promise<void>[] = [];
    for (let i = 0; i < 300; i++) {
      const reply = rawExchange(port, head, 20_000);
      opened.push(reply);
      const socket = sockets.at(-1)!;
      connected.push(new Promise((resolve) => socket.once('connect', () => resolve())));
    }
    await Promise.all(connected);

    const keyed = await call(`${fx.url}/secret`, {
      headers: { 'x-functions-key': fx.host.keys.default ?? '' },
    });
    assert.equal(keyed.status, 200);
    assert.equal(keyed.text, 'secret ok');

    // Each was refused from its headers alone (no body byte sent) and its connection closed.
    const replies = await Promise.all(opened);
    const statuses = new Set(replies.map((r) => r.text.split('\r\n')[0]));
    assert.deepEqual([...statuses], ['HTTP/1.1 401 Unauthorized']);
    assert.ok(
      replies.every((r) => r.closed),
      'every refused connection is closed',
    );
  });

  it('a keyed request whose body goes quiet gets 408 and a closed connection', async () => {
    fx = await startFixtureHost({ hostJson: { embeddedHost: { bodyIdleTimeout: '00:00:00.300' } } });
    const key = fx.host.keys.default ?? '';
    const reply = await rawExchange(
      fx.host.port,
      `POST /echo/x HTTP/1.1\r\nHost: 127.0.0.1\r\nx-functions-key: ${key}\r\nContent-Length: 10\r\n\r\nabc`,
    );
    assert.match(reply.text, /^HTTP\/1\.1 408 /);
    assert.equal(reply.closed, true);
  });

  it('a request head that never completes gets 408', async () => {
    fx = await startFixtureHost({ hostJson: { embeddedHost: { headersTimeout: '00:00:01' } } });
    const reply = await rawExchange(fx.host.port, 'GET /noreturn HTTP/1.1\r\nHost: 127.0.0.1\r\n', 10_000);
    assert.match(reply.text, /^HTTP\/1\.1 408 /);
    assert.equal(reply.closed, true);
  });

  it('a 20 KB header answers 431', async () => {
    fx = await startFixtureHost();
    const reply = await rawExchange(
      fx.host.port,
      `GET /noreturn HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(20 * 1024)}\r\n\r\n`,
    );
    assert.match(reply.text, /^HTTP\/1\.1 431 /);
  });

  it('a failed key check leaves one log line naming address and function, never the key', async () => {
    fx = await startFixtureHost();
    const wrongKey = 'not-the-key-9f8e7d6c5b4a';
    const reply = await call(`${fx.url}/secret`, { headers: { 'x-functions-key': wrongKey } });
    assert.equal(reply.status, 401);
    const line = await fx.logs.waitFor((l) => l.startsWith('Refused GET /secret'));
    assert.match(line, /function secret/);
    assert.match(line, /127\.0\.0\.1/);
    assert.equal(fx.logs.lines.filter((l) => l.includes('/secret')).length, 1, fx.logs.text());
    assert.ok(!fx.logs.text().includes(wrongKey), 'the presented key is never logged');
  });
});

describe('allow-list at connection time', () => {
  it('a peer outside the list that sends nothing gets 403 CLIENT_NOT_ALLOWED and a closed socket', async () => {
    // The list holds no loopback address; the test connects from 127.0.0.1.
    fx = await startFixtureHost({ allow: '10.0.0.0/8' });
    const reply = await rawExchange(fx.host.port, undefined);
    assert.match(reply.text, /^HTTP\/1\.1 403 Forbidden\r\n/);
    const body = reply.text.slice(reply.text.indexOf('\r\n\r\n') + 4);
    assert.deepEqual(JSON.parse(body), {
      statusCode: 403,
      error: 'Forbidden',
      message: 'Client address not allowed',
      code: 'CLIENT_NOT_ALLOWED',
    });
    assert.equal(reply.closed, true);
    const line = await fx.logs.waitFor((l) => /allow-list/.test(l));
    assert.match(line, /127\.0\.0\.1/);
  });

  it('warns when the list admits every address', async () => {
    fx = await startFixtureHost({ allow: '0.0.0.0/0,::/0' });
    await fx.logs.waitFor((l) => /admits every address/.test(l));
  });
});

describe('connection limits', () => {
  it('a client over maxConnectionsPerClient gets 503 and a closed socket; a freed slot lets it in again', async () => {
    fx = await startFixtureHost({ hostJson: { embeddedHost: { maxConnectionsPerClient: 2 } } });
    const port = fx.host.port;
    const holders: net.Socket[] = [];
    for (let i = 0; i < 2; i++) {
      const socket = net.connect({ host: '127.0.0.1', port });
      sockets.push(socket);
      holders.push(socket);
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    }
    // Connections are accepted in order: both holders are counted before the third arrives.
    const third = await rawExchange(port, undefined);
    assert.match(third.text, /^HTTP\/1\.1 503 /);
    assert.equal(third.closed, true);
    await fx.logs.waitFor((l) => /maxConnectionsPerClient/.test(l));
    const freed = new Promise<void>((resolve) => holders[0]!.once('close', () => resolve()));
    holders[0]!.destroy();
    await freed;
    let status = 0;
    // The host notices the close asynchronously; the bound (about 20 s) only turns a hang into a failure.
    for (let i = 0; i < 400 && status !== 204; i++) {
      status = (await call(`${fx.url}/noreturn`).catch(() => ({ status: 0 }))).status;
      if (status !== 204) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.equal(status, 204);
  });

  it('an allowed client that resets its own connections is not logged as refused', async () => {
    fx = await startFixtureHost();
    for (let i = 0; i < 20; i++) {
      const socket = net.connect({ host: '127.0.0.1', port: fx.host.port });
      sockets.push(socket);
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      socket.resetAndDestroy();
    }
    assert.equal((await call(`${fx.url}/noreturn`)).status, 204);
    assert.deepEqual(
      fx.logs.lines.filter((l) => /Refused|allow-list/.test(l)),
      [],
    );
  });
});

describe('liveness', () => {
  it('/admin/host/ping answers 503 once every slot is stuck, 200 again when one is freed', async () => {
    fx = await startFixtureHost({
      hostJson: {
        extensions: { http: { maxConcurrentRequests: 1, maxOutstandingRequests: 5 } },
        embeddedHost: { stallTimeout: '00:00:00.200' },
      },
    });
    assert.equal((await call(`${fx.url}/admin/host/ping`)).status, 200);
    const held = call(`${fx.url}/held?gate=stuck`);
    await handlerWaiting('stuck');
    let status = 200;
    for (let i = 0; i < 400 && status === 200; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      status = (await call(`${fx.url}/admin/host/ping`)).status;
    }
    assert.equal(status, 503);
    openGate('stuck');
    await held;
    assert.equal((await call(`${fx.url}/admin/host/ping`)).status, 200);
  });
});

describe('TLS policy', () => {
  let pki: TestPki;
  before(async () => {
    pki = await createTestPki();
  });
  after(async () => {
    await fs.rm(pki.dir, { recursive: true, force: true });
  });

  function handshake(port: number, ciphers: string): Promise<string> {
    return new Promise((resolve) => {
      const socket = tls.connect({
        host: '127.0.0.1',
        port,
        servername: 'localhost',
        rejectUnauthorized: false,
        minVersion: 'TLSv1.2',
        maxVersion: 'TLSv1.2',
        ciphers,
      });
      socket.once('secureConnect', () => {
        resolve(`ok ${socket.getCipher().name}`);
        socket.destroy();
      });
      socket.once('error', (err: NodeJS.ErrnoException) => resolve(`refused ${err.code ?? err.message}`));
    });
  }

  it('refuses static-RSA and CBC suites on TLS 1.2 and accepts ECDHE with AES-GCM', async () => {
    fx = await startFixtureHost({ tls: { cert: pki.serverCert, key: pki.serverKey } });
    const port = fx.host.port;
    assert.match(await handshake(port, 'AES128-GCM-SHA256'), /^refused/, 'static RSA key exchange');
    assert.match(await handshake(port, 'AES256-SHA256'), /^refused/, 'static RSA with CBC');
    assert.match(await handshake(port, 'ECDHE-RSA-AES128-SHA256'), /^refused/, 'ECDHE with CBC');
    assert.match(await handshake(port, 'ECDHE-RSA-AES128-SHA'), /^refused/, 'ECDHE with CBC and SHA-1');
    assert.equal(await handshake(port, 'ECDHE-RSA-AES128-GCM-SHA256'), 'ok ECDHE-RSA-AES128-GCM-SHA256');
    const line = await fx.logs.waitFor((l) => l.startsWith('TLS handshake with 127.0.0.1 failed'));
    assert.ok(!line.includes('PRIVATE KEY'));
  });

  it('a client CA file without a CA certificate stops start-up naming the file (exit non-zero)', async () => {
    const cwd = await fs.mkdtemp(path.join(os.tmpdir(), 'client-ca-'));
    try {
      const notCa = path.join(cwd, 'no-ca.pem');
      await fs.writeFile(notCa, 'this file holds no certificate\n');
      const run = runCli(
        [
          'start',
          '--port',
          '0',
          '--cert',
          pki.serverCert,
          '--key',
          pki.serverKey,
          '--client-ca',
          notCa,
          '--keys-dir',
          path.join(cwd, 'keys'),
        ],
        { cwd, env: { BUTLER_APP_ROOT: await prepareConformanceApp() } },
      );
      const code = await run.exited;
      await stopChild(run.child);
      assert.notEqual(code, 0);
      assert.ok(run.stderr().includes(notCa), run.stderr());
      assert.match(run.stderr(), /holds no CA certificate/);
    } finally {
      await fs.rm(cwd, { recursive: true, force: true });
    }
  });
});

describe('key directory checks', () => {
  it('warns about key files readable by group/others and reports empty and dangling files alike', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'keys-check-'));
    try {
      await fs.chmod(dir, 0o700);
      await fs.writeFile(path.join(dir, 'host.master'), 'master-key-value\n', { mode: 0o600 });
      await fs.writeFile(path.join(dir, 'host.function.shared'), 'shared-key-value\n');
      await fs.chmod(path.join(dir, 'host.function.shared'), 0o644);
      await fs.writeFile(path.join(dir, 'host.function.empty'), '\n', { mode: 0o600 });
      await fs.symlink(path.join(dir, 'missing-target'), path.join(dir, 'host.function.dangling'));
      const lines: string[] = [];
      const { ring } = await loadKeyRing(dir, (line) => lines.push(line));
      assert.deepEqual(ring.keyNames().sort(), ['host.function.shared', 'host.master']);
      const shared = lines.filter((l) => /readable by group\/others/.test(l));
      assert.equal(shared.length, 1, lines.join('\n'));
      assert.ok(shared[0]?.includes(path.join(dir, 'host.function.shared')));
      const unusable = lines.filter((l) => /empty, a dangling link or unreadable/.test(l));
      assert.equal(unusable.length, 2, lines.join('\n'));
      assert.ok(unusable.some((l) => l.includes('"host.function.empty"')));
      assert.ok(unusable.some((l) => l.includes('"host.function.dangling"')));
      assert.ok(!lines.join('\n').includes('key-value'), 'no key material in the log');
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});

describe('stuck start-up', () => {
  it('still ends on SIGTERM (non-zero exit, saying why)', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'stuck-app-'));
    try {
      await fs.writeFile(path.join(dir, 'host.json'), JSON.stringify({ version: '2.0' }));
      await fs.writeFile(path.join(dir, 'package.json'), JSON.stringify({ main: 'index.js' }));
      await fs.writeFile(
        path.join(dir, 'index.js'),
        [
          "const { app } = require('@azure/functions');",
          // A timer keeps the process alive, as pending I/O would.
          "app.hook.appStart(() => { setInterval(() => {}, 1000); process.stderr.write('appStart waits forever\\n'); return new Promise(() => {}); });",
          "app.http('x', { handler: () => ({ body: 'x' }) });",
        ].join('\n'),
      );
      const run = runCli(['start', '--port', '0', '--keys-dir', path.join(dir, 'keys')], {
        cwd: dir,
        env: { BUTLER_APP_ROOT: dir, NODE_PATH: path.resolve(__dirname, '..', '..', '..', 'node_modules') },
      });
      try {
        for (let i = 0; i < 200 && !run.stderr().includes('appStart waits forever'); i++) {
          if (run.child.exitCode !== null) break;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        assert.ok(run.stderr().includes('appStart waits forever'), run.stderr());
        run.child.kill('SIGTERM');
        const code = await run.exited;
        assert.notEqual(code, 0);
        assert.match(run.stderr(), /SIGTERM: start-up did not finish/);
      } finally {
        await stopChild(run.child);
      }
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
