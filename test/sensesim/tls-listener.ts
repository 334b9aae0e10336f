/** An mTLS HTTPS listener on 127.0.0.1:0 that can be torn down completely, open sockets included. */
import { promises as fs } from 'node:fs';
import https from 'node:https';
import type { Socket } from 'node:net';
import type { TestPki } from './types';

export interface TlsListener {
  server: https.Server;
  port: number;
  /** Completed TLS handshakes (only clients with a trusted certificate get this far). */
  handshakes(): number;
  close(): Promise<void>;
}

export interface TlsMaterial {
  key: Buffer;
  cert: Buffer;
  ca: Buffer;
}

export async function loadTlsMaterial(pki: TestPki): Promise<TlsMaterial> {
  const [key, cert, ca] = await Promise.all([
    fs.readFile(pki.serverKey),
    fs.readFile(pki.serverCert),
    fs.readFile(pki.caCert),
  ]);
  return { key, cert, ca };
}

export async function startTlsListener(material: TlsMaterial): Promise<TlsListener> {
  const server = https.createServer({ ...material, requestCert: true, rejectUnauthorized: true });
  const sockets = new Set<Socket>();
  let handshakes = 0;
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('secureConnection', () => {
    handshakes += 1;
  });
  // A refused client certificate is an expected outcome, not a crash.
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('listener has no TCP address');
  return {
    server,
    port: address.port,
    handshakes: () => handshakes,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
