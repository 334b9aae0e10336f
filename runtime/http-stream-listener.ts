/**
 * With `app.setup({ enableHttpStream: true })`, `getCapabilities` makes the library open its own HTTP
 * listener (the `HttpUri` the host proxies requests to). The library binds it to every interface and
 * never closes it, so the host takes hold of that server to refuse non-loopback peers and to keep it
 * from holding the process open.
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import { LOOPBACK_ONLY, parseAllowList } from './allowlist';
import type { ProgrammingModel } from './core-types';
import type { HostLog } from './log';

type CreateServer = typeof http.createServer;

const loopback = parseAllowList(LOOPBACK_ONLY);

/**
 * Calls `getCapabilities({})` and returns its answer. The library creates its stream listener
 * synchronously inside that call, so wrapping `http.createServer` for exactly that call finds it.
 */
export async function getCapabilitiesWithStreamListener(
  model: ProgrammingModel,
  log: HostLog,
): Promise<Record<string, string>> {
  const created: http.Server[] = [];
  const httpModule = http as { createServer: CreateServer };
  const original = httpModule.createServer;
  httpModule.createServer = function capture(this: unknown, ...args: unknown[]): http.Server {
    const server = (original as (...a: unknown[]) => http.Server).apply(this, args);
    created.push(server);
    return server;
  };
  let pending: Promise<Record<string, string>>;
  try {
    pending = model.getCapabilities({});
  } finally {
    httpModule.createServer = original;
  }
  const capabilities = await pending;
  const uri = capabilities.HttpUri;
  if (!uri) return capabilities;

  const listener = created.find((server) => server.listening);
  if (!listener) {
    log(
      `Warning: HTTP streaming is on but the library's listener (${uri}) could not be located: ` +
        'it stays reachable from other machines and keeps the process alive',
    );
    return capabilities;
  }
  // Only this host (on loopback) has business there; a remote peer could park requests in the library.
  listener.on('connection', (socket: Socket) => {
    if (!loopback.allows(socket.remoteAddress)) socket.destroy();
  });
  listener.unref();
  log(`HTTP streaming enabled: requests are proxied to the library's listener at ${uri}`);
  return capabilities;
}
