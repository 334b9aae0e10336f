/**
 * The process's one MQTT connection (mqtt.js). It connects in the background, so a broker that is away
 * never delays or stops start-up; reconnects with exponential backoff; renews subscriptions on every
 * connect; and makes every publish answer within its timeout: 503 while the broker is not connected,
 * 504 when a connected broker does not take the message in time. Nothing is queued while offline.
 */
import { connect, type MqttClient } from 'mqtt';
import type { ButlerConfig } from '../config/types';
import { ApiError } from '../http/errors';
import { errorMessage, type Logger } from '../log';
import { hostPort } from '../net/host';
import { uniqueClientId } from './client-id';
import { brokerAddress, connectOptions, type BrokerAddress } from './connect-options';
import { publishTopicProblem, topicMatches } from './topic';

export const STATUS_TOPIC = 'qliksense/butler/mqtt/status';

export interface MqttPublishOptions {
  qos?: 0 | 1 | 2;
  retain?: boolean;
  /** Default `mqtt.publishTimeoutMs`. */
  timeoutMs?: number;
}

/** What other parts of the app (REST publish, alerts) need from MQTT. */
export interface MqttPublisher {
  /** True when `mqtt.enabled`; publishing while disabled throws MQTT_DISABLED. */
  readonly enabled: boolean;
  /**
   * Resolves once the message is handed to a connected broker (QoS 0) or acknowledged (QoS 1/2).
   * Throws ApiError: MQTT_DISABLED, MQTT_UNAVAILABLE (not connected), UPSTREAM_TIMEOUT, VALIDATION (topic).
   */
  publish(topic: string, payload: string | Buffer, opts?: MqttPublishOptions): Promise<void>;
}

export type MqttMessageHandler = (topic: string, payload: Buffer) => void;

export type LinkState =
  | { state: 'disabled' }
  | { state: 'starting' }
  | { state: 'connected' }
  | { state: 'down'; reason: string }
  | { state: 'closed' };

export interface MqttServiceOptions {
  log: Logger;
  /** First reconnect delay and its cap (ms); doubled per failed attempt, with jitter. */
  backoff?: { initialMs: number; maxMs: number };
}

const DEFAULT_BACKOFF = { initialMs: 1000, maxMs: 30_000 };
/** How long `close()` lets the client say goodbye to the broker before dropping the socket. */
const GRACEFUL_END_MS = 1000;

export class MqttService implements MqttPublisher {
  readonly enabled: boolean;
  readonly clientId: string;
  private readonly cfg: ButlerConfig['mqtt'];
  private readonly log: Logger;
  private readonly backoff: { initialMs: number; maxMs: number };
  private readonly broker: BrokerAddress | undefined;
  private readonly subscriptions: { filter: string; handler: MqttMessageHandler }[] = [];
  private readonly waiters = new Set<() => void>();
  private link: LinkState;
  private client: MqttClient | undefined;
  private failures = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private lastLogged: string | undefined;
  private lastError: string | undefined;

  constructor(cfg: ButlerConfig['mqtt'], opts: MqttServiceOptions) {
    this.cfg = cfg;
    this.log = opts.log;
    this.backoff = opts.backoff ?? DEFAULT_BACKOFF;
    this.enabled = cfg.enabled && cfg.url !== null;
    this.clientId = cfg.clientId ?? uniqueClientId();
    this.broker = brokerAddress(cfg.url);
    this.link = this.enabled ? { state: 'starting' } : { state: 'disabled' };
  }

  /** Where the connection stands (for logs and tests). */
  status(): LinkState {
    return this.link;
  }

  /**
   * Resolves once the link is in `state`, now or at a later change (for readiness checks and tests that
   * react to the connection instead of polling it). Rejects if the service closes first.
   */
  async whenLink(state: LinkState['state']): Promise<void> {
    while (this.link.state !== state) {
      if (this.link.state === 'closed')
        throw new Error(`the MQTT client closed before the link was ${state}`);
      await new Promise<void>((resolve) => this.waiters.add(resolve));
    }
  }

  private get where(): string {
    return this.broker ? hostPort(this.broker.host, this.broker.port) : 'unknown';
  }

  /** Starts connecting in the background; never throws, never waits for the broker. */
  start(): void {
    if (!this.enabled || this.client !== undefined) return;
    connectOptions(this.cfg, this.clientId)
      .then((options) => {
        if (this.link.state === 'closed') return;
        if (!this.broker) throw new Error('mqtt.url is not a valid URL');
        this.log.info(`mqtt: connecting to ${this.where} as ${this.clientId}`);
        if (this.broker.hasPassword) {
          this.log.warn(
            'mqtt: mqtt.url carries a password; set mqtt.password instead, so it is kept out of config dumps',
          );
        }
        const client = connect(this.cfg.url!, options);
        this.client = client;
        client.on('connect', () => this.onConnect(client));
        client.on('error', (err) => this.onError(client, errorMessage(err)));
        client.on('close', () => this.onClose());
        client.on('message', (topic, payload) => this.dispatch(topic, payload));
      })
      .catch((err: unknown) => {
        // A bad URL or a certificate file that cannot be read stays broken until the config changes: no retries.
        if (this.link.state === 'closed') return;
        this.setLink({ state: 'down', reason: errorMessage(err) });
        this.log.error(`mqtt: not connecting to ${this.where}: ${errorMessage(err)}`);
      });
  }

  /** Calls `handler` for every message on a topic matching `filter`; subscribed on every connect. */
  subscribe(filter: string, handler: MqttMessageHandler): void {
    this.subscriptions.push({ filter, handler });
    if (this.client && this.link.state === 'connected') this.subscribeOn(this.client, filter);
  }

  async publish(topic: string, payload: string | Buffer, opts: MqttPublishOptions = {}): Promise<void> {
    if (!this.enabled) throw new ApiError('MQTT_DISABLED', 'MQTT is disabled (mqtt.enabled is false)');
    const problem = publishTopicProblem(topic);
    if (problem !== null) throw new ApiError('VALIDATION', `topic ${problem}`);
    const timeoutMs = opts.timeoutMs ?? this.cfg.publishTimeoutMs;
    const deadline = Date.now() + timeoutMs;
    const client = await this.connectedClient(deadline);
    const sending = client.publishAsync(topic, payload, { qos: opts.qos ?? 0, retain: opts.retain ?? false });
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<'expired'>((resolve) => {
      timer = setTimeout(() => resolve('expired'), Math.max(0, deadline - Date.now()));
    });
    try {
      const outcome = await Promise.race([sending.then(() => 'sent' as const), expired]);
      if (outcome === 'expired') {
        sending.catch(() => undefined); // settled later (or never); nobody is waiting any more
        if (this.link.state !== 'connected') throw this.unavailable();
        throw new ApiError(
          'UPSTREAM_TIMEOUT',
          `The MQTT broker at ${this.where} did not take the message within ${timeoutMs} ms (mqtt.publishTimeoutMs)`,
        );
      }
    } catch (err) {
      if (err instanceof ApiError) throw err;
      throw new ApiError(
        'MQTT_UNAVAILABLE',
        `Publishing to the MQTT broker at ${this.where} failed: ${errorMessage(err)}`,
        { cause: err },
      );
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    if (this.link.state === 'closed') return;
    this.setLink({ state: 'closed' });
    clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    // A clean DISCONNECT when connected; a broker that does not read it must not hold shutdown up.
    // A graceful end also waits for unacknowledged QoS 1/2 messages, and once it is under way a second,
    // forced end() is ignored: so the socket itself is destroyed. Our listeners stay (they ignore
    // everything once closed) so mqtt.js can still clean up its timers on the socket's close.
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        const stream = client.stream as NodeJS.ReadableStream & { destroyed?: boolean; destroy(): void };
        if (!stream || stream.destroyed) return resolve();
        stream.once('close', () => setImmediate(resolve));
        stream.destroy();
      }, GRACEFUL_END_MS);
      client.end(!client.connected, {}, () => {
        clearTimeout(force);
        resolve();
      });
    });
  }

  private unavailable(): ApiError {
    if (this.link.state === 'closed') {
      return new ApiError('MQTT_UNAVAILABLE', 'The MQTT client is closed (shutting down)');
    }
    const reason = this.link.state === 'down' ? this.link.reason : 'not connected yet';
    return new ApiError('MQTT_UNAVAILABLE', `The MQTT broker at ${this.where} is not connected: ${reason}`);
  }

  /**
   * The client when connected. While the first attempt is still running, waits for it until the
   * deadline; once an attempt has failed, answers at once (a down broker must not cost every caller
   * the whole timeout).
   */
  private async connectedClient(deadline: number): Promise<MqttClient> {
    while (this.link.state === 'starting' && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, Math.max(0, deadline - Date.now()));
        this.waiters.add(wake);
      });
    }
    if (this.link.state === 'connected' && this.client?.connected) return this.client;
    throw this.unavailable();
  }

  private setLink(link: LinkState): void {
    this.link = link;
    const waiting = [...this.waiters];
    this.waiters.clear();
    for (const wake of waiting) wake();
  }

  private onConnect(client: MqttClient): void {
    if (this.link.state === 'closed') return;
    this.failures = 0;
    this.lastLogged = undefined;
    this.lastError = undefined;
    this.setLink({ state: 'connected' });
    const text = `Connected to MQTT broker ${this.where} with client ID ${this.clientId}`;
    this.log.info(`mqtt: ${text}`);
    client.publish(STATUS_TOPIC, text, { qos: 0 }, (err) => {
      if (err) this.log.warn(`mqtt: status message not sent: ${errorMessage(err)}`);
    });
    for (const { filter } of this.subscriptions) this.subscribeOn(client, filter);
  }

  private subscribeOn(client: MqttClient, filter: string): void {
    client.subscribe(filter, { qos: 0 }, (err, granted) => {
      const refused = granted?.some((g) => g.qos === 128);
      if (err || refused) {
        this.log.error(
          `mqtt: subscribing to '${filter}' failed: ${err ? errorMessage(err) : 'refused by the broker'}`,
        );
      } else {
        this.log.info(`mqtt: subscribed to '${filter}'`);
      }
    });
  }

  private onFailure(reason: string): void {
    if (this.link.state === 'closed') return;
    this.setLink({ state: 'down', reason });
    // A broker that stays away would otherwise log the same line at every attempt.
    if (reason !== this.lastLogged) {
      this.log.warn(`mqtt: broker at ${this.where}: ${reason} (retrying with backoff)`);
      this.lastLogged = reason;
    }
  }

  /** A failed attempt (refused, TLS, unreachable) marks the link down; an error on a live connection only waits for its close. */
  private onError(client: MqttClient, reason: string): void {
    if (this.link.state === 'closed') return;
    this.lastError = reason;
    if (!client.connected) this.onFailure(reason);
  }

  private onClose(): void {
    if (this.link.state === 'closed') return;
    if (this.link.state === 'connected') this.onFailure(this.lastError ?? 'connection lost');
    else if (this.link.state === 'starting') this.onFailure('connection closed before CONNACK');
    this.lastError = undefined;
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.reconnectTimer !== undefined || this.link.state === 'closed') return;
    const base = Math.min(this.backoff.maxMs, this.backoff.initialMs * 2 ** Math.min(this.failures, 20));
    this.failures++;
    const delay = Math.round(base / 2 + (Math.random() * base) / 2);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.link.state !== 'closed') this.client?.reconnect();
    }, delay);
  }

  private dispatch(topic: string, payload: Buffer): void {
    if (this.link.state === 'closed') return;
    for (const { filter, handler } of this.subscriptions) {
      if (!topicMatches(filter, topic)) continue;
      try {
        handler(topic, payload);
      } catch (err) {
        this.log.error(`mqtt: handling a message on '${topic}' failed: ${errorMessage(err)}`);
      }
    }
  }
}
