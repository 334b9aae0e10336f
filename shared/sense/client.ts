/**
 * The certificate-based Qlik Sense client: one per Sense configuration, owning the single undici Agent
 * (mTLS, keep-alive) shared by QRS requests and Engine WebSockets. Certificates are read on first use, so
 * building a client never fails, and an unconfigured one only fails when it is used.
 */
import type { Agent } from 'undici';
import type { SenseConfig } from '../config/types';
import { noTelemetry, type DependencyCall, type Telemetry } from '../telemetry/index';
import { createSenseAgent } from './agent';
import { loadCredentials } from './credentials';
import { EngineSession } from './engine';
import { SenseError } from './errors';
import { QLIK_USER_HEADER, qlikUserHeader } from './identity';
import { QrsClient } from './qrs';
import { hostPort } from '../net/host';
import { silentLogger, type Logger } from '../log';
import { mapTransportError, type SenseTarget } from './transport-errors';
import { probeTcp } from './tcp-probe';
import { observeUpgrade, type UpgradeObservation } from './upgrade-observer';

export interface SenseClientOptions {
  log?: Logger;
  /** Idle Engine sessions close after this long; default max(sense.timeoutMs, 30 s). */
  engineIdleMs?: number;
  /** Receives every QRS exchange and Engine call as a dependency; default: none. */
  telemetry?: Telemetry;
}

/** Default idle limit for Engine sessions nobody uses any more (at least the request timeout). */
const MIN_ENGINE_IDLE_MS = 30_000;

export class SenseClient {
  readonly qrs: QrsClient;
  private readonly cfg: SenseConfig;
  private readonly log: Logger;
  private readonly engineIdleMs: number;
  private readonly track: ((call: DependencyCall) => void) | undefined;
  private agentPromise: Promise<Agent> | undefined;
  private readonly sessions = new Set<EngineSession>();
  private closed = false;

  constructor(cfg: SenseConfig, opts: SenseClientOptions = {}) {
    this.cfg = cfg;
    this.log = opts.log ?? silentLogger;
    this.engineIdleMs = opts.engineIdleMs ?? Math.max(cfg.timeoutMs, MIN_ENGINE_IDLE_MS);
    const telemetry = opts.telemetry ?? noTelemetry;
    this.track = telemetry.enabled ? (call) => telemetry.trackDependency(call) : undefined;
    this.qrs = new QrsClient({ cfg, dispatcher: () => this.dispatcher(), log: this.log, track: this.track });
  }

  /** Throws NOT_CONFIGURED (503) naming every missing setting. */
  assertConfigured(): void {
    const problem = this.configurationProblem();
    if (problem !== undefined) throw problem;
  }

  private configurationProblem(): SenseError | undefined {
    const missing = (['host', 'cert', 'key'] as const).filter((k) => !this.cfg[k]).map((k) => `sense.${k}`);
    if (missing.length === 0) return undefined;
    const verb = missing.length === 1 ? 'is' : 'are';
    return new SenseError(
      'NOT_CONFIGURED',
      `Qlik Sense is not configured: ${missing.join(', ')} ${verb} not set`,
    );
  }

  /** The shared Agent; certificates are read and checked on the first call (a failed read is retried later). */
  private dispatcher(): Promise<Agent> {
    if (this.closed) {
      return Promise.reject(
        new SenseError('SENSE_UNAVAILABLE', 'The Qlik Sense client is closed (shutting down)'),
      );
    }
    const problem = this.configurationProblem();
    if (problem !== undefined) return Promise.reject(problem);
    if (this.agentPromise === undefined) {
      const loading = loadCredentials(this.cfg).then((creds) => createSenseAgent(this.cfg, creds));
      this.agentPromise = loading;
      loading.catch(() => {
        if (this.agentPromise === loading) this.agentPromise = undefined;
      });
    }
    return this.agentPromise;
  }

  /** Opens an Engine session on `/app/<appId>` (reload), `/app/engineData` (dump) or `/` (list). */
  async openEngine(path: string): Promise<EngineSession> {
    if (!path.startsWith('/')) throw new TypeError(`Engine path must start with '/': ${path}`);
    const agent = await this.dispatcher();
    const host = this.cfg.host ?? '';
    const target: SenseTarget = { service: 'Engine', host, port: this.cfg.enginePort, cfg: this.cfg };
    const label = `Qlik Sense Engine at ${hostPort(host, this.cfg.enginePort)}${path}`;
    const observation: UpgradeObservation = {};
    const session = await EngineSession.open({
      url: `wss://${hostPort(host, this.cfg.enginePort)}${path}`,
      dispatcher: agent.compose(observeUpgrade(observation)),
      headers: { [QLIK_USER_HEADER]: qlikUserHeader(this.cfg) },
      timeoutMs: this.cfg.timeoutMs,
      idleMs: this.engineIdleMs,
      label,
      log: this.log,
      explainOpenFailure: async () => {
        if (observation.error !== undefined) return mapTransportError(observation.error, target);
        if (observation.status !== undefined && observation.status !== 101) {
          return new SenseError(
            'SENSE_ERROR',
            `${label} refused the WebSocket upgrade with HTTP ${observation.status}; check sense.userDirectory ` +
              'and sense.userId and that the client certificate (sense.cert) is accepted',
            { upstreamStatus: observation.status },
          );
        }
        // undici's WebSocket never hands the interceptor a failed TCP connect, so look once more.
        const unreachable = await probeTcp(host, this.cfg.enginePort, Math.min(this.cfg.timeoutMs, 3000));
        if (unreachable) return mapTransportError(unreachable, target);
        return new SenseError('SENSE_ERROR', `${label} closed the connection while it was being opened`);
      },
      onClosed: (s) => this.sessions.delete(s),
      track: this.track,
    });
    if (this.closed) {
      await session.close();
      throw new SenseError('SENSE_UNAVAILABLE', 'The Qlik Sense client is closed (shutting down)');
    }
    this.sessions.add(session);
    return session;
  }

  /** Closes every Engine session and the Agent. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.sessions].map((s) => s.close()));
    this.sessions.clear();
    const pending = this.agentPromise;
    this.agentPromise = undefined;
    if (pending === undefined) return;
    try {
      const agent = await pending;
      await agent.close();
    } catch {
      // Credentials never loaded: there is no Agent to close.
    }
  }
}
