/**
 * An in-process MQTT broker (aedes) for tests: TLS with the test PKI (optionally requiring a client
 * certificate), a username/password check, and a record of who connected and what was published.
 */
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { Aedes, type AuthenticateError } from 'aedes';
import { connectAsync, type MqttClient } from 'mqtt';
import { topicMatches } from '../../shared/mqtt/topic';
import type { TestPki } from './pki';

export interface BrokerOptions {
  pki?: TestPki;
  /** With `pki`: refuse clients without a certificate from the test CA. */
  requireClientCert?: boolean;
  credentials?: { username: string; password: string };
  /** Listen on this port (to bring a "down" broker back on the port a host already uses). */
  port?: number;
  /** Never authorize (so never acknowledge) QoS 1 publishes on topics matching this filter. */
  holdQos1?: string;
}

export interface TestBroker {
  port: number;
  /** URL as the host should use it: mqtts://localhost:<port> with TLS (the certificate names localhost). */
  url: string;
  /** Client ids that completed CONNECT, in order. */
  connected: string[];
  disconnected: string[];
  /** Connection attempts the authenticate hook refused, by client id. */
  refused: string[];
  /** Subscriptions the broker accepted. */
  subscribed: { clientId: string; topic: string }[];
  /** Resolves once client `id` has disconnected (now or later): an event, not a poll. */
  whenDisconnected(id: string): Promise<void>;
  /** Resolves once client `clientId` has subscribed to `topic` (now or later). */
  whenSubscribed(clientId: string, topic: string): Promise<void>;
  /** A client of this broker (same TLS and credentials as the host would use). */
  client(opts?: { username?: string; password?: string }): Promise<MqttClient>;
  close(): Promise<void>;
}

const BAD_USERNAME_OR_PASSWORD = 4;

export async function startBroker(opts: BrokerOptions = {}): Promise<TestBroker> {
  const aedes = await Aedes.createBroker();
  const connected: string[] = [];
  const disconnected: string[] = [];
  const refused: string[] = [];
  const subscribed: { clientId: string; topic: string }[] = [];
  aedes.on('subscribe', (subs, c) => {
    for (const sub of subs) subscribed.push({ clientId: c.id, topic: sub.topic });
    notify();
  });
  aedes.on('client', (c) => connected.push(c.id));
  aedes.on('clientDisconnect', (c) => {
    disconnected.push(c.id);
    notify();
  });
  // Re-checked after every subscribe and disconnect the arrays above record.
  const watchers = new Set<() => void>();
  const notify = (): void => {
    for (const watch of [...watchers]) watch();
  };
  const seen = (done: () => boolean): Promise<void> =>
    new Promise((resolve) => {
      const watch = (): void => {
        if (!done()) return;
        watchers.delete(watch);
        resolve();
      };
      watchers.add(watch);
      watch();
    });
  const creds = opts.credentials;
  if (creds) {
    aedes.authenticate = (client, username, password, done) => {
      if (username === creds.username && password?.toString('utf8') === creds.password) {
        done(null, true);
        return;
      }
      refused.push(client.id);
      const error: AuthenticateError = Object.assign(new Error('bad username or password'), {
        returnCode: BAD_USERNAME_OR_PASSWORD,
      });
      done(error, null);
    };
  }
  const hold = opts.holdQos1;
  const held: (() => void)[] = [];
  if (hold) {
    aedes.authorizePublish = (_client, packet, callback) => {
      // No answer until the broker closes (aedes keeps the client's timers until it gets one).
      if (packet.qos === 1 && topicMatches(hold, packet.topic))
        held.push(() => callback(new Error('closing')));
      else callback(null);
    };
  }
  const pki = opts.pki;
  const server = pki
    ? tls.createServer(
        {
          cert: readFileSync(pki.serverCert),
          key: readFileSync(pki.serverKey),
          ca: readFileSync(pki.caCert),
          requestCert: opts.requireClientCert === true,
          rejectUnauthorized: opts.requireClientCert === true,
        },
        (socket) => aedes.handle(socket),
      )
    : net.createServer((socket) => aedes.handle(socket));
  server.listen(opts.port ?? 0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  const url = `${pki ? 'mqtts' : 'mqtt'}://localhost:${port}`;
  const clients: MqttClient[] = [];
  return {
    port,
    url,
    connected,
    disconnected,
    refused,
    subscribed,
    whenDisconnected: (id) => seen(() => disconnected.includes(id)),
    whenSubscribed: (clientId, topic) =>
      seen(() => subscribed.some((sub) => sub.clientId === clientId && sub.topic === topic)),
    async client(login = {}) {
      const client = await connectAsync(url, {
        reconnectPeriod: 0,
        connectTimeout: 5000,
        ...(pki
          ? {
              ca: readFileSync(pki.caCert),
              cert: readFileSync(pki.clientCert),
              key: readFileSync(pki.clientKey),
            }
          : {}),
        username: login.username ?? creds?.username,
        password: login.password ?? creds?.password,
      });
      clients.push(client);
      return client;
    },
    async close() {
      for (const release of held.splice(0)) release();
      await Promise.all(clients.map((c) => c.endAsync(true)));
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A loopback port nothing listens on (bound, then released). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Subscribes `client` to `topic`; `next()` yields the received messages one by one, in order. */
export async function subscribe(
  client: MqttClient,
  topic: string,
): Promise<{ next: () => Promise<string>; all: string[] }> {
  const all: string[] = [];
  const wake: (() => void)[] = [];
  client.on('message', (t, payload) => {
    if (t !== topic) return;
    all.push(payload.toString('utf8'));
    for (const w of wake.splice(0)) w();
  });
  await client.subscribeAsync(topic, { qos: 0 });
  let consumed = 0;
  return {
    all,
    async next() {
      const index = consumed++;
      while (all.length <= index) await new Promise<void>((resolve) => wake.push(resolve));
      return all[index]!;
    },
  };
}
