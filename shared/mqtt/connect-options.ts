/**
 * Turns the `mqtt` config section into mqtt.js connect options. Certificate files are read here, so a
 * missing file becomes a message naming the setting instead of a crash at start-up.
 */
import { readFile } from 'node:fs/promises';
import type { IClientOptions } from 'mqtt';
import type { ButlerConfig } from '../config/types';
import { errorMessage } from '../log';
import { unbracketHost } from '../net/host';

type MqttConfig = ButlerConfig['mqtt'];

/** How long the broker has to answer CONNECT before the attempt counts as failed. */
const CONNECT_TIMEOUT_MS = 10_000;

const DEFAULT_PORTS: Record<string, number> = {
  'mqtt:': 1883,
  'tcp:': 1883,
  'mqtts:': 8883,
  'ssl:': 8883,
  'tls:': 8883,
  'ws:': 80,
  'wss:': 443,
};

export interface BrokerAddress {
  host: string;
  port: number;
  /** The URL itself carries a password (mqtt.js would use it). */
  hasPassword: boolean;
}

/**
 * Host and port of the broker URL, for messages; never the URL itself (it may carry credentials).
 * Undefined when the URL cannot be parsed.
 */
export function brokerAddress(url: string | null): BrokerAddress | undefined {
  if (url === null || !URL.canParse(url)) return undefined;
  const parsed = new URL(url);
  const host = unbracketHost(parsed.hostname);
  if (!host) return undefined;
  return {
    host,
    port: parsed.port ? Number(parsed.port) : (DEFAULT_PORTS[parsed.protocol] ?? 1883),
    hasPassword: parsed.password !== '',
  };
}

async function readSetting(name: 'ca' | 'cert' | 'key', file: string | null): Promise<Buffer | undefined> {
  if (file === null) return undefined;
  try {
    return await readFile(file);
  } catch (err) {
    throw new Error(`cannot read mqtt.${name} (${file}): ${errorMessage(err)}`, { cause: err });
  }
}

export async function connectOptions(cfg: MqttConfig, clientId: string): Promise<IClientOptions> {
  const [ca, cert, key] = [
    await readSetting('ca', cfg.ca),
    await readSetting('cert', cfg.cert),
    await readSetting('key', cfg.key),
  ];
  const options: IClientOptions = {
    clientId,
    clean: true,
    protocolVersion: 4,
    connectTimeout: CONNECT_TIMEOUT_MS,
    // Reconnects are scheduled by the service (with backoff), and subscriptions renewed on each connect.
    reconnectPeriod: 0,
    resubscribe: false,
    // Never queue while offline: a publish either reaches a connected client or fails at once.
    queueQoSZero: false,
    rejectUnauthorized: cfg.rejectUnauthorized,
  };
  if (cfg.username !== null) options.username = cfg.username;
  if (cfg.password !== null) options.password = cfg.password;
  if (ca) options.ca = ca;
  if (cert) options.cert = cert;
  if (key) options.key = key;
  return options;
}
