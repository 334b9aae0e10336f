/**
 * Real sinks for alert tests: an HTTP sink (Slack, Teams and webhook stand-ins, each path with its
 * own behaviour), an SMTP server with STARTTLS and a login (smtp-server), an MQTT broker (aedes),
 * and a loopback relay that lets a test know the callback base URL before the host's port exists.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { request } from 'undici';
import type { TestPki } from './pki';

export interface SinkRequest {
  path: string;
  method: string;
  headers: http.IncomingHttpHeaders;
  query: URLSearchParams;
  body: string;
  json: unknown;
  /** Status the sink answered. */
  status: number;
  /** performance.now() when the request was complete. */
  at: number;
}

export interface HttpSink {
  url: string;
  requests: SinkRequest[];
  /** Answer `status` to the next `times` requests on `path` (default: every request). */
  behave(path: string, rule: { status: number; times?: number; location?: string }): void;
  delivered(path: string): SinkRequest[];
  close(): Promise<void>;
}

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function closeServer(server: net.Server): Promise<void> {
  (server as http.Server).closeAllConnections?.();
  return new Promise((resolve) => server.close(() => resolve()));
}

export async function startHttpSink(): Promise<HttpSink> {
  const requests: SinkRequest[] = [];
  const rules = new Map<string, { status: number; times?: number; location?: string }>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://sink');
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = body ? JSON.parse(body) : undefined;
      } catch {
        json = undefined;
      }
      const rule = rules.get(url.pathname);
      let status = 200;
      if (rule && (rule.times === undefined || rule.times > 0)) {
        status = rule.status;
        if (rule.times !== undefined) rule.times -= 1;
      }
      requests.push({
        at: performance.now(),
        path: url.pathname,
        method: req.method ?? '',
        headers: req.headers,
        query: url.searchParams,
        body,
        json,
        status,
      });
      res
        .writeHead(status, rule?.location ? { location: rule.location } : {})
        .end(status < 300 ? 'ok' : 'nope');
    });
  });
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    behave: (path, rule) => rules.set(path, { ...rule }),
    delivered: (path) => requests.filter((r) => r.path === path && r.status >= 200 && r.status < 300),
    close: () => closeServer(server),
  };
}

export interface SmtpMessage {
  from: string;
  to: string[];
  raw: string;
  /** Raw message with quoted-printable soft breaks and escapes undone (enough for assertions). */
  text: string;
  user: string | undefined;
  secure: boolean;
}

export interface SmtpSink {
  port: number;
  messages: SmtpMessage[];
  close(): Promise<void>;
}

function decodeQuotedPrintable(raw: string): string {
  const bytes = Buffer.from(
    raw
      .replace(/=\r?\n/g, '')
      .replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))),
    'latin1',
  );
  return bytes.toString('utf8');
}

export async function startSmtpSink(
  pki: TestPki,
  login: { user: string; password: string },
): Promise<SmtpSink> {
  const messages: SmtpMessage[] = [];
  const server = new SMTPServer({
    secure: false,
    key: readFileSync(pki.serverKey),
    cert: readFileSync(pki.serverCert),
    authMethods: ['PLAIN', 'LOGIN'],
    onAuth(auth, _session, callback) {
      if (auth.username === login.user && auth.password === login.password)
        callback(null, { user: auth.username });
      else callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        messages.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          text: decodeQuotedPrintable(raw),
          user: typeof session.user === 'string' ? session.user : undefined,
          secure: session.secure,
        });
        callback();
      });
    },
    logger: false,
  });
  const port = await listen(server.server);
  return {
    port,
    messages,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export interface MqttBroker {
  url: string;
  messages: { topic: string; payload: string }[];
  close(): Promise<void>;
}

export async function startMqttBroker(): Promise<MqttBroker> {
  const { Aedes } = await import('aedes');
  const broker = await Aedes.createBroker();
  const messages: { topic: string; payload: string }[] = [];
  broker.on('publish', (packet, client) => {
    if (client) messages.push({ topic: packet.topic, payload: packet.payload.toString() });
  });
  const server = net.createServer((socket) => broker.handle(socket));
  const port = await listen(server);
  return {
    url: `mqtt://127.0.0.1:${port}`,
    messages,
    async close() {
      await closeServer(server);
      await new Promise<void>((resolve) => broker.close(() => resolve()));
    },
  };
}

export interface Relay {
  url: string;
  target: string | undefined;
  /** Requests relayed (path and status). */
  relayed: { path: string; status: number }[];
  close(): Promise<void>;
}

/** Forwards POSTs to `target` (set once the host runs); answers 503 while it is unset. */
export async function startRelay(): Promise<Relay> {
  const relay: Relay = {
    url: '',
    target: undefined,
    relayed: [],
    close: () => closeServer(server),
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (!relay.target) {
        res.writeHead(503).end();
        return;
      }
      request(new URL(req.url ?? '/', relay.target), {
        method: 'POST',
        headers: { 'content-type': req.headers['content-type'] ?? 'application/json' },
        body: Buffer.concat(chunks),
      })
        .then(async (answer) => {
          const text = await answer.body.text();
          relay.relayed.push({
            path: new URL(req.url ?? '/', 'http://x').pathname,
            status: answer.statusCode,
          });
          res.writeHead(answer.statusCode, { 'content-type': 'application/json' }).end(text);
        })
        .catch(() => res.writeHead(502).end());
    });
  });
  const port = await listen(server);
  relay.url = `http://127.0.0.1:${port}`;
  return relay;
}

/** Polls `check` until it returns true (every 50 ms, up to `ms`); throws with `what` on timeout. */
export async function eventually(
  what: string,
  check: () => boolean | Promise<boolean>,
  ms = 20_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
