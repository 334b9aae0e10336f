/**
 * Reload-task alerts (docs/alerts.md). Detection is pushed (QRS change notifications calling our
 * HTTP trigger) with a polling backstop over execution results modified since a stored cursor; both
 * feed one path that classifies, selects channels, claims (result, channel) in the state store,
 * enriches and delivers. Claims make delivery exactly once per channel across hosts.
 */
import type { AlertOutcome, ButlerConfig } from '../config/types';
import { ApiError } from '../http/errors';
import { errorMessage, type Logger } from '../log';
import type { QrsClient } from '../sense/qrs';
import { isGuid } from '../sense/filter';
import type { StateStore } from '../state/store';
import { callbackKey, callbackUrl } from './callback-key';
import type { AlertChannel } from './channels/channel';
import { emailChannel } from './channels/email';
import { mqttChannel, type MqttPublisher } from './channels/mqtt';
import { slackChannel } from './channels/slack';
import { teamsChannel } from './channels/teams';
import { webhookChannel } from './channels/webhook';
import { deliver } from './deliver';
import { enrich, taskFacts } from './enrich';
import { AlertLedger, type DeadLetter } from './ledger';
import { outcomeOf, statusFilter } from './outcome';
import { AlertQrs, type ExecutionResultRow, type TaskRow } from './qrs-calls';
import { channelWants } from './selection';

/** The backstop re-reads this far behind its cursor: rows committed late or clocks a little apart. */
const CURSOR_OVERLAP_MS = 120_000;
/** A `sending` claim older than this belongs to a host that died; another may take it over. */
const MIN_CLAIM_LEASE_MS = 10 * 60_000;
/** Changes handled per callback; more (a burst) are left to the backstop. */
const MAX_IDS_PER_CALLBACK = 200;
/** Results being handled in the background at most; beyond it callbacks are left to the backstop. */
const MAX_IN_FLIGHT = 1000;
/** A backstop run starts no new result after this long, so one run never holds the timer for long. */
const BACKSTOP_BUDGET_MS = 60_000;
/** After a failed subscription, try again this soon (not on every tick). */
const SUBSCRIBE_RETRY_MS = 30_000;
/** Alert bookkeeping (claims, done markers, rate-limit slots, dead letters) is kept this long. */
const RETENTION_MS = 14 * 24 * 3600_000;
const PRUNE_EVERY_MS = 24 * 3600_000;
const MAX_CHANGES_PER_CALLBACK = 5000;

export interface AlertServiceDeps {
  config: ButlerConfig;
  qrs: () => QrsClient;
  state: StateStore;
  log: Logger;
  /** The process MQTT client's publish side, when MQTT is enabled. */
  mqtt?: MqttPublisher;
  env?: NodeJS.ProcessEnv;
  /** Wait between the script-log reference and its download (the id needs a moment on a real QRS). */
  scriptLogWaitMs?: number;
}

export class AlertService {
  readonly channels: AlertChannel[];
  private readonly cfg: ButlerConfig['alerts'];
  private readonly qrs: AlertQrs;
  private readonly ledger: AlertLedger;
  private readonly log: Logger;
  private readonly secrets: string[];
  private readonly lifetime = new AbortController();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly processing = new Map<string, Promise<void>>();
  private lastSubscribeAt = -Infinity;
  private lastBackstopAt = -Infinity;
  /** Callers of `nextBackstopRun`, told when the first run starting after their call has ended. */
  private backstopWaiters: (() => void)[] = [];
  private lastPruneAt = Date.now();
  private handle: string | undefined;
  private missingKeyLogged = false;
  private noChannelLogged = false;

  constructor(private readonly deps: AlertServiceDeps) {
    this.cfg = deps.config.alerts;
    const { channels } = this.cfg;
    this.secrets = [
      channels.slack.webhookUrl,
      channels.teams.webhookUrl,
      channels.email.smtp.password,
      deps.config.mqtt.password,
      ...channels.webhook.flatMap((h) => [h.url, ...h.headers.map((x) => x.value)]),
    ].filter((s): s is string => typeof s === 'string' && s.length >= 4);
    const raw = deps.log;
    const scrub = (m: string) => this.scrub(m);
    this.log = {
      info: (m) => raw.info(scrub(m)),
      warn: (m) => raw.warn(scrub(m)),
      error: (m) => raw.error(scrub(m)),
    };
    const retryBudget = this.cfg.retry.attempts * (this.cfg.retry.timeoutMs + this.cfg.retry.maxDelayMs);
    this.ledger = new AlertLedger(deps.state, Math.max(MIN_CLAIM_LEASE_MS, 2 * retryBudget));
    this.qrs = new AlertQrs(deps.qrs, {
      scriptLogWaitMs: deps.scriptLogWaitMs ?? 500,
      scriptLogRetryMs: 2000,
    });
    this.channels = this.buildChannels();
  }

  private buildChannels(): AlertChannel[] {
    const cfg = this.cfg;
    const { slack, teams, webhook, email, mqtt } = cfg.channels;
    const list: AlertChannel[] = [];
    if (slack.webhookUrl) list.push(slackChannel(cfg, slack.webhookUrl));
    if (teams.webhookUrl) list.push(teamsChannel(cfg, teams.webhookUrl));
    for (const hook of webhook) list.push(webhookChannel(cfg, hook));
    if (email.smtp.host) list.push(emailChannel(cfg, this.log));
    if (mqtt.enabled && this.deps.config.mqtt.enabled && this.deps.mqtt) {
      list.push(mqttChannel(cfg, this.deps.mqtt));
    }
    return list;
  }

  /** Replaces every configured secret (and the callback key) with *** . */
  scrub(text: string): string {
    let out = text;
    for (const secret of this.secrets) out = out.split(secret).join('***');
    return out;
  }

  /** Timer tick: re-subscribe and run the backstop when each is due. Never throws. */
  async tick(now = Date.now()): Promise<void> {
    if (!this.cfg.enabled || this.lifetime.signal.aborted) return;
    if (this.cfg.callbackBaseUrl && now - this.lastSubscribeAt >= this.cfg.resubscribeSeconds * 1000 - 500) {
      try {
        if (await this.resubscribe()) this.lastSubscribeAt = now;
      } catch (err) {
        this.lastSubscribeAt = now - this.cfg.resubscribeSeconds * 1000 + SUBSCRIBE_RETRY_MS;
        this.log.error(
          `alerts: QRS notification subscription failed (retrying in ${SUBSCRIBE_RETRY_MS / 1000} s): ${errorMessage(err)}`,
        );
      }
    }
    if (now - this.lastBackstopAt >= this.cfg.backstopSeconds * 1000 - 500) {
      this.lastBackstopAt = now;
      const waiting = this.backstopWaiters.splice(0);
      try {
        await this.backstop();
      } catch (err) {
        this.log.error(`alerts: backstop run failed: ${errorMessage(err)}`);
      }
      for (const done of waiting) done();
    }
    if (now - this.lastPruneAt >= PRUNE_EVERY_MS) {
      this.lastPruneAt = now;
      try {
        const removed = await this.ledger.prune(new Date(now - RETENTION_MS));
        if (removed > 0) this.log.info(`alerts: removed ${removed} bookkeeping rows older than 14 days`);
      } catch (err) {
        this.log.warn(`alerts: pruning old bookkeeping failed: ${errorMessage(err)}`);
      }
    }
  }

  /** Registers a fresh subscription, then drops the previous one (no gap). false: no key to use. */
  async resubscribe(): Promise<boolean> {
    const base = this.cfg.callbackBaseUrl;
    if (!base) return false;
    if (this.channels.length === 0) {
      if (!this.noChannelLogged)
        this.log.warn('alerts: enabled but no channel is configured; not subscribing');
      this.noChannelLogged = true;
      return false;
    }
    const key = await callbackKey(this.deps.env ?? process.env);
    if (!key) {
      if (!this.missingKeyLogged) {
        this.log.error(
          'alerts: no function key for the QRS callback (set BUTLER_ALERTS_CALLBACK_KEY or BUTLER_KEYS_DIR); backstop only',
        );
        this.missingKeyLogged = true;
      }
      return false;
    }
    if (!this.secrets.includes(key)) this.secrets.push(key);
    const outcomes = new Set<AlertOutcome>(this.channels.flatMap((c) => c.outcomes));
    const handle = await this.qrs.subscribe(callbackUrl(base, key), statusFilter(outcomes));
    const previous = this.handle;
    this.handle = handle;
    this.log.info(`alerts: subscribed to QRS ExecutionResult notifications (handle ${handle})`);
    if (previous) {
      await this.qrs.unsubscribe(previous).catch((err: unknown) => {
        this.log.warn(`alerts: could not remove the previous subscription: ${errorMessage(err)}`);
      });
    }
    return true;
  }

  /**
   * Accepts a QRS callback body (an array of change objects) and processes the execution results it
   * names in the background. Throws ApiError VALIDATION for a malformed body.
   */
  acceptCallback(body: unknown): { accepted: number } {
    if (!Array.isArray(body)) throw new ApiError('VALIDATION', 'The body must be an array of change objects');
    if (body.length > MAX_CHANGES_PER_CALLBACK) {
      throw new ApiError('VALIDATION', `The body holds more than ${MAX_CHANGES_PER_CALLBACK} changes`);
    }
    const ids = new Set<string>();
    for (const [index, change] of body.entries()) {
      const c = change as { objectType?: unknown; objectID?: unknown } | null;
      if (
        typeof c !== 'object' ||
        c === null ||
        typeof c.objectType !== 'string' ||
        typeof c.objectID !== 'string'
      ) {
        throw new ApiError('VALIDATION', `body[${index}] must have string objectType and objectID`);
      }
      if (c.objectType.toLowerCase() === 'executionresult' && isGuid(c.objectID))
        ids.add(c.objectID.toLowerCase());
    }
    if (!this.cfg.enabled) return { accepted: 0 };
    const room = Math.max(0, Math.min(MAX_IDS_PER_CALLBACK, MAX_IN_FLIGHT - this.inFlight.size));
    const accepted = [...ids].slice(0, room);
    if (ids.size > accepted.length) {
      this.log.warn(
        `alerts: callback named ${ids.size} results; the backstop handles those beyond ${accepted.length}`,
      );
    }
    for (const id of accepted) this.track(this.processId(id));
    return { accepted: accepted.length };
  }

  private track(work: Promise<unknown>): void {
    const tracked = work.catch((err: unknown) => this.log.error(`alerts: ${errorMessage(err)}`));
    this.inFlight.add(tracked);
    void tracked.finally(() => this.inFlight.delete(tracked));
  }

  /** Fetches and handles one execution result; concurrent calls for one id share the work. */
  processId(id: string): Promise<void> {
    const key = id.toLowerCase();
    const running = this.processing.get(key);
    if (running) return running;
    const work = (async () => {
      const row = await this.qrs.executionResult(id);
      if (row) await this.processRow(row);
    })().finally(() => this.processing.delete(key));
    this.processing.set(key, work);
    return work;
  }

  /** Classify → select channels → claim → enrich → deliver. Throws only when it should be tried again. */
  async processRow(row: ExecutionResultRow): Promise<void> {
    const outcome = outcomeOf(row.status);
    if (!outcome || this.lifetime.signal.aborted) return;
    if (await this.ledger.isDone(row.id)) return;
    const byOutcome = this.channels.filter((c) => c.outcomes.includes(outcome));
    if (byOutcome.length === 0) return this.ledger.markDone(row.id);
    const task: TaskRow = (await this.qrs.task(row.taskID)) ?? { id: row.taskID, name: '(task not found)' };
    const wanted = byOutcome.filter((c) => channelWants(c, outcome, taskFacts(task)));
    if (wanted.length === 0) return this.ledger.markDone(row.id);

    const claimed = [];
    for (const channel of wanted) {
      const claim = await this.ledger.claim(row.id, channel.id);
      if (claim) claimed.push({ channel, claim });
    }
    if (claimed.length > 0) {
      let event;
      try {
        event = await enrich(this.qrs, row, task, outcome, this.cfg.scriptLogLines);
      } catch (err) {
        // Free the claims so the next callback or backstop run tries again.
        await Promise.all(claimed.map(({ claim }) => claim.release()));
        throw err;
      }
      const ctx = {
        cfg: this.cfg,
        ledger: this.ledger,
        log: this.log,
        signal: this.lifetime.signal,
        scrub: (t: string) => this.scrub(t),
      };
      await Promise.all(claimed.map(({ channel, claim }) => deliver(channel, event, claim, ctx)));
    }
    const states = await Promise.all(wanted.map((c) => this.ledger.claimState(row.id, c.id)));
    if (states.every((s) => s !== undefined && s.state !== 'sending')) await this.ledger.markDone(row.id);
  }

  /** Handles every result modified since the cursor; the cursor stops before a result that failed. */
  async backstop(): Promise<void> {
    const cursor = await this.ledger.readCursor();
    if (!cursor) {
      // First run: start from now rather than alerting on the whole history.
      await this.ledger.writeCursor(new Date().toISOString(), undefined);
      this.log.info('alerts: backstop cursor starts now');
      return;
    }
    const since = new Date(Date.parse(cursor.modifiedDate) - CURSOR_OVERLAP_MS).toISOString();
    const rows = await this.qrs.resultsModifiedSince(since);
    let newest = cursor.modifiedDate;
    const stopAt = Date.now() + BACKSTOP_BUDGET_MS;
    for (const row of rows) {
      if (this.lifetime.signal.aborted || Date.now() > stopAt) break;
      try {
        await (this.processing.get(row.id.toLowerCase()) ?? this.processRow(row));
      } catch (err) {
        this.log.warn(`alerts: backstop will retry result ${row.id}: ${errorMessage(err)}`);
        break;
      }
      if (Date.parse(row.modifiedDate) > Date.parse(newest)) newest = row.modifiedDate;
    }
    if (newest !== cursor.modifiedDate) await this.ledger.writeCursor(newest, cursor.etag);
  }

  /**
   * Resolves when the first timer backstop run that starts after this call has ended, with its
   * deliveries settled: a way to wait for "the backstop has looked again" without guessing a delay.
   */
  nextBackstopRun(): Promise<void> {
    return new Promise((resolve) => this.backstopWaiters.push(resolve));
  }

  deadLetters(): Promise<DeadLetter[]> {
    return this.ledger.deadLetters();
  }

  /** Settles background work (pending backoffs end at once), removes the subscription, closes channels. */
  async close(): Promise<void> {
    this.lifetime.abort();
    await Promise.allSettled([...this.inFlight]);
    const handle = this.handle;
    this.handle = undefined;
    if (handle) {
      await Promise.race([
        this.qrs.unsubscribe(handle).catch(() => undefined),
        new Promise((resolve) => setTimeout(resolve, 2000).unref()),
      ]);
    }
    await Promise.allSettled(this.channels.map((c) => c.close?.() ?? Promise.resolve()));
  }
}
