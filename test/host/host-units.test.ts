/** Unit tests of the host's small parts: main glob, settings, time spans, throttle. */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { expandBraces, expandGlob } from '../../runtime/glob';
import { applyJobHostEnv, EnvOverlay, parseTimeSpan, resolveHostSettings } from '../../runtime/settings';
import { RequestThrottle } from '../../runtime/throttle';
import { knownEmptyBody, readBodyWithLimit } from '../../runtime/pipeline/body';
import { createServer, type IncomingMessage } from 'node:http';
import { connect, type AddressInfo } from 'node:net';

describe('package.json#main glob', () => {
  let root: string;
  before(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'butler-glob-'));
    for (const file of [
      'dist/functions/b.js',
      'dist/functions/a.js',
      'dist/functions/a.js.map',
      'dist/index.js',
      'dist/functions/deep/c.js',
      'dist/functions/.hidden.js',
      'node_modules/x/y.js',
    ]) {
      await fs.mkdir(path.dirname(path.join(root, file)), { recursive: true });
      await fs.writeFile(path.join(root, file), '');
    }
  });
  after(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  it('expands *, ** and {a,b}, sorted, skipping dot files and node_modules', async () => {
    assert.deepEqual(await expandGlob(root, 'dist/functions/*.js'), [
      'dist/functions/a.js',
      'dist/functions/b.js',
    ]);
    assert.deepEqual(await expandGlob(root, 'dist/**/*.js'), [
      'dist/functions/a.js',
      'dist/functions/b.js',
      'dist/functions/deep/c.js',
      'dist/index.js',
    ]);
    assert.deepEqual(await expandGlob(root, 'dist/{index.js,functions/*.js}'), [
      'dist/functions/a.js',
      'dist/functions/b.js',
      'dist/index.js',
    ]);
    assert.deepEqual(await expandGlob(root, './dist/index.js'), ['dist/index.js']);
    assert.deepEqual(await expandGlob(root, 'dist/missing.js'), []);
  });

  it('expands nested braces and rejects unbalanced ones', () => {
    assert.deepEqual(expandBraces('a{b,c{d,e}}f'), ['abf', 'acdf', 'acef']);
    assert.throws(() => expandBraces('a{b'), /Unbalanced/);
  });
});

describe('host settings', () => {
  it('parses time spans and -1', () => {
    assert.equal(parseTimeSpan('00:05:00', 'x'), 300_000);
    assert.equal(parseTimeSpan('1.02:00:00', 'x'), 26 * 3_600_000);
    assert.equal(parseTimeSpan('00:00:00.250', 'x'), 250);
    assert.equal(parseTimeSpan('-1', 'x'), null);
    assert.throws(
      () => parseTimeSpan('five minutes', 'host.json functionTimeout'),
      /host\.json functionTimeout/,
    );
  });

  it('applies AzureFunctionsJobHost__ overrides case-insensitively, including function lists', () => {
    const merged = applyJobHostEnv(
      { functionTimeout: '00:05:00', extensions: { http: { routePrefix: '' } } },
      {
        AzureFunctionsJobHost__functionTimeout: '00:00:10',
        AzureFunctionsJobHost__Extensions__Http__MaxConcurrentRequests: '3',
        AzureFunctionsJobHost__functions__0: 'a',
        AzureFunctionsJobHost__functions__1: 'b',
      },
    );
    const settings = resolveHostSettings(merged, {});
    assert.equal(settings.functionTimeoutMs, 10_000);
    assert.equal(settings.maxConcurrentRequests, 3);
    assert.equal(settings.routePrefix, '');
    assert.deepEqual(settings.functionsFilter, ['a', 'b']);
  });

  it('has the real host defaults and rejects bad values by name', () => {
    const defaults = resolveHostSettings({}, {});
    assert.equal(defaults.routePrefix, 'api');
    assert.equal(defaults.maxOutstandingRequests, -1);
    assert.equal(defaults.bodyLimitBytes, 104_857_600);
    assert.throws(
      () => resolveHostSettings({}, { FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: 'lots' }),
      /FUNCTIONS_REQUEST_BODY_SIZE_LIMIT/,
    );
  });

  it('lets existing variables win over local settings and restores the environment', () => {
    const env: NodeJS.ProcessEnv = { KEEP: 'mine' };
    const lines: string[] = [];
    const overlay = new EnvOverlay(env);
    overlay.applyLocalValues({ KEEP: 'theirs', NEW: 'value' }, (line) => lines.push(line));
    assert.deepEqual(env, { KEEP: 'mine', NEW: 'value' });
    assert.deepEqual(lines, [
      "Skipping 'KEEP' from local settings as it's already defined in current environment variables.",
    ]);
    overlay.restore();
    assert.deepEqual(env, { KEEP: 'mine' });
  });
});

describe('request throttle', () => {
  it('bounds running and outstanding requests and releases idempotently', async () => {
    const throttle = new RequestThrottle(1, 2);
    const first = throttle.tryAdmit();
    const second = throttle.tryAdmit();
    assert.ok(first && second);
    assert.equal(throttle.tryAdmit(), undefined);
    await first.ready;
    let secondStarted = false;
    void second.ready.then(() => (secondStarted = true));
    await Promise.resolve();
    assert.equal(secondStarted, false);
    first.release();
    first.release();
    await second.ready;
    assert.equal(throttle.running, 1);
    assert.equal(throttle.outstanding, 1);
    second.release();
    assert.equal(throttle.outstanding, 0);
  });

  it('is unbounded with -1', () => {
    const throttle = new RequestThrottle(-1, -1);
    const tickets = Array.from({ length: 100 }, () => throttle.tryAdmit());
    assert.ok(tickets.every(Boolean));
  });
});

describe('empty bodies known without waiting', () => {
  interface Fields {
    complete: boolean;
    readableLength: number;
    headers: Record<string, string | undefined>;
  }
  function request(fields: Fields) {
    let resumed = false;
    const req = {
      ...fields,
      resume: () => {
        resumed = true;
      },
    } as unknown as IncomingMessage;
    return { req, resumed: () => resumed };
  }

  it('answers at once for no Content-Length/Transfer-Encoding, Content-Length 0 and a parsed empty body', async () => {
    const empty: Fields[] = [
      { complete: false, readableLength: 0, headers: {} },
      { complete: false, readableLength: 0, headers: { 'content-length': '0' } },
      { complete: true, readableLength: 0, headers: { 'content-length': '0' } },
    ];
    for (const fields of empty) {
      const { req, resumed } = request(fields);
      assert.equal(knownEmptyBody(req), true, JSON.stringify(fields));
      // The fake has no event methods: a reader that waited for events would throw here.
      assert.deepEqual(await readBodyWithLimit(req, 1000), { ok: true, body: Buffer.alloc(0) });
      assert.equal(resumed(), true);
    }
  });

  it('leaves announced, streaming and already buffered bodies to the reader', () => {
    const pending: Fields[] = [
      { complete: false, readableLength: 0, headers: { 'content-length': '5' } },
      { complete: false, readableLength: 0, headers: { 'transfer-encoding': 'chunked' } },
      { complete: true, readableLength: 5, headers: { 'content-length': '5' } },
    ];
    for (const fields of pending) {
      const { req, resumed } = request(fields);
      assert.equal(knownEmptyBody(req), false, JSON.stringify(fields));
      assert.equal(resumed(), false);
    }
  });

  it('takes a body that arrived whole from the buffer at once, and refuses one over the limit', async () => {
    const fields = { complete: true, readableLength: 5, headers: { 'transfer-encoding': 'chunked' } };
    let reads = 0;
    // No event methods again: only read() is there.
    const req = {
      ...fields,
      read: () => {
        reads++;
        return Buffer.from('hello');
      },
    } as unknown as IncomingMessage;
    assert.deepEqual(await readBodyWithLimit(req, 5), { ok: true, body: Buffer.from('hello') });
    assert.equal(reads, 1);
    assert.deepEqual(await readBodyWithLimit(req, 4), { ok: false, reason: 'too-large' });
    assert.equal(reads, 1);
    // Still being parsed when asked (the headers' packet also carried the body): complete a moment later.
    const parsing = { ...fields, complete: false, read: () => Buffer.from('later') };
    const pending = readBodyWithLimit(parsing as unknown as IncomingMessage, 5);
    parsing.complete = true;
    assert.deepEqual(await pending, { ok: true, body: Buffer.from('later') });
  });

  it('on a real socket, takes a body sent with its headers without listeners, and streams one sent later', async () => {
    const seen: { body: string; flowing: boolean | null }[] = [];
    const server = createServer((req, res) => {
      void readBodyWithLimit(req, 1000, 5000).then((read) => {
        seen.push({
          body: read.ok ? read.body.toString() : read.reason,
          flowing: req.readableFlowing,
        });
        res.end('done');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const send = (parts: string[]): Promise<void> =>
      new Promise((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () => {
          socket.write(parts[0] ?? '');
          // The rest 50 ms later, after the server has parsed the headers alone.
          if (parts[1] !== undefined) setTimeout(() => socket.write(parts[1] ?? ''), 50);
        });
        socket.on('data', (chunk: Buffer) => {
          if (chunk.toString().includes('done')) socket.end(resolve);
        });
        socket.on('error', reject);
      });
    const head = 'PUT /x HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n';
    try {
      await send([`${head}[]`]);
      await send([head, '{}']);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    // Whole in the first packet: taken with read(), the stream was never switched to flowing by a listener.
    assert.deepEqual(seen[0], { body: '[]', flowing: null });
    // Headers first, body 50 ms later: streamed through 'data' listeners.
    assert.deepEqual(seen[1], { body: '{}', flowing: true });
  });
});
