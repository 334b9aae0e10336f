/**
 * The one long-lived undici Agent per Sense host (docs/sense-facts.md §2): mutual TLS, keep-alive, bounded timeouts.
 * It serves both QRS requests and the Engine WebSocket upgrades.
 */
import { isIP } from 'node:net';
import { Agent } from 'undici';
import type { SenseConfig } from '../config/types';
import type { SenseCredentials } from './credentials';

const MAX_CONNECTIONS_PER_ORIGIN = 10;

/**
 * The name sent as SNI and checked against the server certificate. Node refuses an IP address as SNI, so
 * it stays unset then and Node verifies the dialled IP against the certificate's IP SANs instead.
 */
export function tlsServerName(cfg: Pick<SenseConfig, 'host' | 'serverName'>): string | undefined {
  const name = cfg.serverName ?? cfg.host;
  if (name === null || isIP(name) !== 0) return undefined;
  return name;
}

export function createSenseAgent(cfg: SenseConfig, creds: SenseCredentials): Agent {
  const servername = tlsServerName(cfg);
  return new Agent({
    connect: {
      cert: creds.cert,
      key: creds.key,
      ...(creds.ca !== undefined ? { ca: creds.ca } : {}),
      ...(servername !== undefined ? { servername } : {}),
      rejectUnauthorized: cfg.rejectUnauthorized,
      timeout: cfg.timeoutMs,
    },
    headersTimeout: cfg.timeoutMs,
    bodyTimeout: cfg.timeoutMs,
    connections: MAX_CONNECTIONS_PER_ORIGIN,
  });
}
