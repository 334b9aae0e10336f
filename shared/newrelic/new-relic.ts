/**
 * Sends events and gauge metrics to every account in `newRelic.accounts`, in the payload shapes Butler
 * sends: an event is one flat object (timestamp, eventType, then static and request attributes, the
 * request winning); a metric is New Relic's `[{common, metrics}]` batch. Every account must accept
 * (2xx), or the caller gets 502 naming the account and its answer.
 */
import { ApiError } from '../http/errors';
import type { ButlerConfig, NameValue } from '../config/types';
import { answerExcerpt, UpstreamClient, withoutSecrets, type UpstreamAnswer } from '../upstream/http-post';

type NewRelicConfig = ButlerConfig['newRelic'];
type Account = NewRelicConfig['accounts'][number];

export interface NewRelicEventRequest {
  eventType: string;
  timestamp?: number;
  attributes?: NameValue[];
}

export interface NewRelicMetricRequest {
  name: string;
  type: 'gauge';
  value: number;
  timestamp?: number;
  /** Accepted as Butler does; only count and summary metrics use an interval, and only gauge is allowed. */
  interval?: number;
  attributes?: NameValue[];
}

export interface NewRelicResult {
  newRelicResultCode: number;
  newRelicResultText: string;
}

/** Later entries win, as Butler assigned them; `fromEntries` keeps a name like `__proto__` a plain key. */
function attributes(staticAttributes: NameValue[], fromRequest: NameValue[] = []): [string, string][] {
  return [...staticAttributes, ...fromRequest].map((a) => [a.name, a.value]);
}

function timestampOf(requested: number | undefined): number {
  return requested !== undefined && requested > 0 ? requested : Date.now();
}

export function eventPayload(cfg: NewRelicConfig, req: NewRelicEventRequest): Record<string, unknown> {
  return Object.fromEntries<unknown>([
    ['timestamp', timestampOf(req.timestamp)],
    ['eventType', req.eventType],
    ...attributes(cfg.staticAttributes, req.attributes),
  ]);
}

export function metricPayload(cfg: NewRelicConfig, req: NewRelicMetricRequest): unknown[] {
  return [
    {
      common: {
        timestamp: timestampOf(req.timestamp),
        attributes: Object.fromEntries(attributes(cfg.staticAttributes, req.attributes)),
      },
      metrics: [{ name: req.name, type: req.type, value: req.value }],
    },
  ];
}

function eventsUrl(cfg: NewRelicConfig, account: Account): string {
  const base = cfg.eventUrl.endsWith('/') ? cfg.eventUrl : `${cfg.eventUrl}/`;
  return `${base}v1/accounts/${encodeURIComponent(account.accountId)}/events`;
}

export class NewRelicClient {
  private readonly cfg: NewRelicConfig;
  private readonly http: UpstreamClient;

  constructor(cfg: NewRelicConfig) {
    this.cfg = cfg;
    this.http = new UpstreamClient(cfg.timeoutMs);
  }

  postEvent(req: NewRelicEventRequest): Promise<NewRelicResult> {
    const body = JSON.stringify(eventPayload(this.cfg, req));
    return this.toEveryAccount((account) => eventsUrl(this.cfg, account), body);
  }

  postMetric(req: NewRelicMetricRequest): Promise<NewRelicResult> {
    const body = JSON.stringify(metricPayload(this.cfg, req));
    return this.toEveryAccount(() => this.cfg.metricUrl, body);
  }

  close(): Promise<void> {
    return this.http.close();
  }

  /** Header names are case-insensitive: configured headers replace ours, the account's key replaces all. */
  private headers(account: Account): Record<string, string> {
    const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
    for (const { name, value } of this.cfg.headers) headers[name.toLowerCase()] = value;
    headers['api-key'] = account.insertApiKey;
    return headers;
  }

  private secrets(): string[] {
    return [...this.cfg.accounts.map((a) => a.insertApiKey), ...this.cfg.headers.map((h) => h.value)];
  }

  private async toEveryAccount(url: (account: Account) => string, body: string): Promise<NewRelicResult> {
    if (this.cfg.accounts.length === 0) {
      throw new ApiError('NOT_CONFIGURED', 'New Relic is not configured: newRelic.accounts is empty');
    }
    const outcomes = await Promise.allSettled(
      this.cfg.accounts.map((account) =>
        this.http.post({
          service: `New Relic account '${account.name}'`,
          errorCode: 'NEW_RELIC_ERROR',
          timeoutSetting: 'newRelic.timeoutMs',
          url: url(account),
          headers: this.headers(account),
          body,
        }),
      ),
    );
    // Report the first account (in config order) that failed.
    let first: UpstreamAnswer | undefined;
    for (const [index, outcome] of outcomes.entries()) {
      const account = this.cfg.accounts[index]!;
      if (outcome.status === 'rejected') throw outcome.reason;
      const answer = outcome.value;
      if (answer.status < 200 || answer.status > 299) {
        const detail = answerExcerpt(withoutSecrets(answer.text, this.secrets()));
        throw new ApiError(
          'NEW_RELIC_ERROR',
          `New Relic account '${account.name}' answered ${answer.status} ${answer.statusText}${detail ? `: ${detail}` : ''}`,
        );
      }
      first ??= answer;
    }
    return { newRelicResultCode: first!.status, newRelicResultText: first!.statusText };
  }
}
