/**
 * In-process Qlik Sense simulator: QRS (HTTPS) and Engine (WSS) listeners with mutual TLS, a live fixture
 * model, a journal of every call and injectable faults (docs/sense-facts.md §11).
 */
import { serveEngine } from './engine-server';
import type { EngineServer } from './engine-server';
import { FaultList, engineFaultMatches, qrsFaultMatches } from './faults';
import { defaultFixtures } from './fixtures';
import { NotificationHub } from './notifications';
import { serveQrs } from './qrs-server';
import { finishTask, type FinishTaskOptions } from './task-runs';
import { loadTlsMaterial, startTlsListener } from './tls-listener';
import type { TlsListener } from './tls-listener';
import type {
  EngineCall,
  EngineConnection,
  EngineFault,
  QrsCall,
  QrsFault,
  SenseFixtures,
  SenseSimOptions,
} from './types';

export * from './types';
export type { NotificationSubscription, CallbackRecord } from './notifications';
export type { FinishTaskOptions, TaskOutcome } from './task-runs';
export { FIXTURE, defaultFixtures } from './fixtures';
export { EMPTY_GUID, NEVER } from './execution';
export { XSRF_MESSAGE } from './request-parts';

export class SenseSim {
  readonly host = '127.0.0.1';
  readonly qrsCalls: QrsCall[] = [];
  readonly engineCalls: EngineCall[] = [];
  readonly engineConnections: EngineConnection[] = [];
  /** QRS change-notification subscriptions, the callbacks made, and knobs (e.g. `knobs.suppress`). */
  readonly notifications = new NotificationHub();
  private readonly qrsFaults = new FaultList<QrsFault>(qrsFaultMatches);
  private readonly engineFaults = new FaultList<EngineFault>(engineFaultMatches);
  private readonly lifetime = new AbortController();
  private qrs!: TlsListener;
  private engineListener!: TlsListener;
  private engine!: EngineServer;
  private closed: Promise<void> | undefined;
  private readonly watchers = new Set<() => void>();

  private constructor(
    readonly fixtures: SenseFixtures,
    private readonly strictUser: boolean,
  ) {}

  static async start(opts: SenseSimOptions): Promise<SenseSim> {
    const sim = new SenseSim(opts.fixtures ?? defaultFixtures(), opts.strictUser ?? false);
    const material = await loadTlsMaterial(opts.pki);
    sim.qrs = await startTlsListener(material);
    try {
      sim.engineListener = await startTlsListener(material);
    } catch (err) {
      await sim.qrs.close();
      throw err;
    }
    serveQrs(sim.qrs, {
      fixtures: sim.fixtures,
      record: (call) => sim.record(sim.qrsCalls, call),
      faults: sim.qrsFaults,
      strictUser: sim.strictUser,
      signal: sim.lifetime.signal,
      downloads: new Map(),
      notifications: sim.notifications,
    });
    sim.engine = serveEngine(sim.engineListener, {
      fixtures: sim.fixtures,
      record: (call) => sim.record(sim.engineCalls, call),
      connections: sim.engineConnections,
      faults: sim.engineFaults,
      strictUser: sim.strictUser,
      signal: sim.lifetime.signal,
    });
    return sim;
  }

  get qrsPort(): number {
    return this.qrs.port;
  }

  get enginePort(): number {
    return this.engineListener.port;
  }

  qrsHandshakes(): number {
    return this.qrs.handshakes();
  }

  qrsFault(rule: QrsFault): void {
    this.qrsFaults.add(rule);
  }

  engineFault(rule: EngineFault): void {
    this.engineFaults.add(rule);
  }

  /**
   * Runs a task to a final state now: a Started result row, then the final one, each with the change
   * notification QRS would send. Resolves with the final row once every callback has been answered.
   */
  finishTask(taskId: string, opts: FinishTaskOptions) {
    return finishTask(this.fixtures, this.notifications, taskId, opts);
  }

  /** A QRS restart as far as notifications go: every subscription is forgotten. */
  restartQrs(): void {
    this.notifications.forgetAll();
  }

  /**
   * Resolves with the `count`-th recorded QRS call `matches` accepts (default the first), now or when
   * it arrives: an event, not a poll.
   */
  qrsCallSeen(matches: (call: QrsCall) => boolean, count = 1): Promise<QrsCall> {
    return this.seen(this.qrsCalls, matches, count);
  }

  /** Resolves with the first recorded Engine call `matches` accepts, now or when it arrives. */
  engineCallSeen(matches: (call: EngineCall) => boolean): Promise<EngineCall> {
    return this.seen(this.engineCalls, matches);
  }

  private record<C>(journal: C[], call: C): void {
    journal.push(call);
    for (const watcher of [...this.watchers]) watcher();
  }

  private seen<C>(journal: C[], matches: (call: C) => boolean, count = 1): Promise<C> {
    const nth = (): C | undefined => journal.filter(matches)[count - 1];
    const found = nth();
    if (found) return Promise.resolve(found);
    return new Promise<C>((resolve, reject) => {
      const stop = (): void => {
        this.watchers.delete(watch);
        this.lifetime.signal.removeEventListener('abort', closed);
      };
      const watch = (): void => {
        const call = nth();
        if (call === undefined) return;
        stop();
        resolve(call);
      };
      const closed = (): void => {
        stop();
        reject(new Error('the simulator closed before the awaited call arrived'));
      };
      this.watchers.add(watch);
      this.lifetime.signal.addEventListener('abort', closed, { once: true });
    });
  }

  clearFaults(): void {
    this.qrsFaults.clear();
    this.engineFaults.clear();
  }

  resetJournal(): void {
    this.qrsCalls.length = 0;
    this.engineCalls.length = 0;
    this.engineConnections.length = 0;
  }

  /** Idempotent: closes listeners, open sockets and WebSockets, and cancels delayed answers. */
  close(): Promise<void> {
    this.closed ??= (async () => {
      this.lifetime.abort();
      this.engine.close();
      await Promise.all([this.qrs.close(), this.engineListener.close()]);
    })();
    return this.closed;
  }
}
