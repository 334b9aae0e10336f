/**
 * POST /v4/newrelic/event and /v4/newrelic/metric against a local sink standing in for New Relic, with
 * two accounts: the exact payloads and headers Butler sends (per account), refusals → 502 naming the
 * account and status, silence → 504, bad input → 400, and insert keys never shown.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { ConsoleCapture } from '../helpers/console-capture';
import type { HttpSink, SinkRequest } from '../helpers/http-sink';
import type { ProductHost } from '../helpers/product-host';
import { startSinkHost, type SinkHost } from '../helpers/sink-host';

const KEYS = { main: 'NRAK-main-secret-0a1b', backup: 'NRAK-backup-secret-2c3d' };
let sink: HttpSink;
let api: ProductHost;
let hostLog: string[];
let processLog: ConsoleCapture;

let env: SinkHost | undefined;

before(async () => {
  env = await startSinkHost((url) => ({
    newRelic: {
      accounts: [
        { name: 'main', insertApiKey: KEYS.main, accountId: '1234567' },
        { name: 'backup', insertApiKey: KEYS.backup, accountId: '7654321' },
      ],
      eventUrl: `${url}/`,
      metricUrl: `${url}/metric/v1`,
      headers: [{ name: 'X-Team', value: 'bi' }],
      staticAttributes: [
        { name: 'env', value: 'test' },
        { name: 'service', value: 'butler' },
      ],
      timeoutMs: 300,
    },
  }));
  ({ sink, api, hostLog, processLog } = env);
});
after(() => env?.close());
beforeEach(() => {
  sink.requests.length = 0;
  sink.answer = () => ({ status: 202, body: '{"success":true}' });
});

function send(kind: 'event' | 'metric', body: unknown) {
  return api.call(`/v4/newrelic/${kind}`, { method: 'POST', body: body as object });
}

function byPath(): Map<string, SinkRequest> {
  return new Map(sink.requests.map((r) => [r.path, r]));
}

describe('events', () => {
  test('each account gets the flat event with its own Api-Key, the configured headers and static attributes', async () => {
    const res = await send('event', {
      eventType: 'ReloadFailed',
      timestamp: 1700000000000,
      attributes: [
        { name: 'service', value: 'sales-reload' },
        { name: 'host.name', value: 'qs1' },
      ],
    });
    assert.equal(res.status, 202, res.text);
    assert.deepEqual(res.json, { newRelicResultCode: 202, newRelicResultText: 'Accepted' });
    const requests = byPath();
    assert.deepEqual([...requests.keys()].sort(), [
      '/v1/accounts/1234567/events',
      '/v1/accounts/7654321/events',
    ]);
    for (const [path, key] of [
      ['/v1/accounts/1234567/events', KEYS.main],
      ['/v1/accounts/7654321/events', KEYS.backup],
    ] as const) {
      const req = requests.get(path)!;
      assert.equal(req.method, 'POST');
      assert.equal(req.headers['api-key'], key);
      assert.equal(req.headers['content-type'], 'application/json; charset=utf-8');
      assert.equal(req.headers['x-team'], 'bi');
      // Static attributes first, the request's win on a clash (service), in Butler's key order.
      assert.equal(
        req.body,
        '{"timestamp":1700000000000,"eventType":"ReloadFailed","env":"test","service":"sales-reload","host.name":"qs1"}',
      );
    }
  });

  test('no timestamp (or 0) → the time of the call, in ms', async () => {
    const before = Date.now();
    const res = await send('event', { eventType: 'Ping', timestamp: 0 });
    const afterCall = Date.now();
    assert.equal(res.status, 202, res.text);
    const event = JSON.parse(sink.requests[0]!.body) as { timestamp: number; eventType: string };
    assert.ok(event.timestamp >= before && event.timestamp <= afterCall, String(event.timestamp));
    assert.deepEqual(Object.keys(event), ['timestamp', 'eventType', 'env', 'service']);
  });

  test('one account refusing (403) → 502 NEW_RELIC_ERROR naming that account and status, no key shown', async () => {
    sink.answer = (req) =>
      req.path.includes('7654321')
        ? { status: 403, body: `{"error":"invalid key ${KEYS.backup}"}` }
        : { status: 202, body: '' };
    const res = await send('event', { eventType: 'E' });
    assert.equal(res.status, 502, res.text);
    const json = res.json as { code: string; message: string };
    assert.equal(json.code, 'NEW_RELIC_ERROR');
    assert.match(json.message, /^New Relic account 'backup' answered 403 Forbidden/);
    assert.equal(res.text.includes(KEYS.backup), false);
    assert.equal(res.text.includes(KEYS.main), false);
  });

  test('New Relic failing (500) → 502 naming the status', async () => {
    sink.answer = () => ({ status: 500 });
    const res = await send('event', { eventType: 'E' });
    assert.equal(res.status, 502, res.text);
    assert.match(
      (res.json as { message: string }).message,
      /^New Relic account 'main' answered 500 Internal Server Error$/,
    );
  });

  test('New Relic never answering → 504 UPSTREAM_TIMEOUT naming newRelic.timeoutMs', async () => {
    sink.answer = () => 'hang';
    const res = await send('event', { eventType: 'E' });
    assert.equal(res.status, 504, res.text);
    assert.deepEqual(res.json, {
      statusCode: 504,
      error: 'Gateway Timeout',
      message: "New Relic account 'main' did not answer within 300 ms (newRelic.timeoutMs)",
      code: 'UPSTREAM_TIMEOUT',
    });
  });
});

describe('metrics', () => {
  test("each account gets the gauge in New Relic's batch shape at the metric URL", async () => {
    const res = await send('metric', {
      name: 'qs.reload.duration',
      type: 'gauge',
      value: '12.5',
      timestamp: 1700000000000,
      interval: 60000,
      attributes: [{ name: 'app', value: 'Sales' }],
    });
    assert.equal(res.status, 202, res.text);
    assert.deepEqual(res.json, { newRelicResultCode: 202, newRelicResultText: 'Accepted' });
    assert.equal(sink.requests.length, 2);
    assert.deepEqual(sink.requests.map((r) => r.headers['api-key']).sort(), [KEYS.backup, KEYS.main].sort());
    for (const req of sink.requests) {
      assert.equal(req.path, '/metric/v1');
      assert.equal(req.headers['content-type'], 'application/json; charset=utf-8');
      assert.equal(req.headers['x-team'], 'bi');
      assert.equal(
        req.body,
        '[{"common":{"timestamp":1700000000000,"attributes":{"env":"test","service":"butler","app":"Sales"}},' +
          '"metrics":[{"name":"qs.reload.duration","type":"gauge","value":12.5}]}]',
      );
    }
  });

  test('a metric refused by New Relic (400) → 502 NEW_RELIC_ERROR', async () => {
    sink.answer = () => ({ status: 400, body: 'bad metric' });
    const res = await send('metric', { name: 'm', type: 'gauge', value: 1 });
    assert.equal(res.status, 502, res.text);
    assert.match(
      (res.json as { message: string }).message,
      /^New Relic account 'main' answered 400 Bad Request: bad metric$/,
    );
  });
});

for (const [kind, name, body, message] of [
  ['event', 'no body', undefined, /^body must be object$/],
  ['event', 'missing eventType', { timestamp: 1 }, /^body must have required property 'eventType'$/],
  ['event', 'long eventType', { eventType: 'e'.repeat(255) }, /^body\/eventType must NOT have more than 254/],
  ['event', 'text timestamp', { eventType: 'e', timestamp: 'yesterday' }, /^body\/timestamp must be number$/],
  [
    'event',
    'attributes not an array',
    { eventType: 'e', attributes: { a: 1 } },
    /^body\/attributes must be array$/,
  ],
  [
    'event',
    'attribute without value',
    { eventType: 'e', attributes: [{ name: 'a' }] },
    /^body\/attributes\/0 must have required property 'value'$/,
  ],
  [
    'event',
    'long attribute value',
    { eventType: 'e', attributes: [{ name: 'a', value: 'v'.repeat(4097) }] },
    /^body\/attributes\/0\/value must NOT have more than 4096/,
  ],
  ['metric', 'missing name', { type: 'gauge', value: 1 }, /^body must have required property 'name'$/],
  ['metric', 'missing value', { name: 'm', type: 'gauge' }, /^body must have required property 'value'$/],
  [
    'metric',
    'count type',
    { name: 'm', type: 'count', value: 1 },
    /^body\/type must be equal to one of the allowed values$/,
  ],
  ['metric', 'text value', { name: 'm', type: 'gauge', value: 'lots' }, /^body\/value must be number$/],
  [
    'metric',
    'attribute without name',
    { name: 'm', type: 'gauge', value: 1, attributes: [{ value: 'v' }] },
    /^body\/attributes\/0 must have required property 'name'$/,
  ],
] as const) {
  test(`${kind}: bad input (${name}) → 400 VALIDATION naming the field, nothing sent`, async () => {
    const res = await send(kind, body);
    assert.equal(res.status, 400, res.text);
    assert.equal((res.json as { code: string }).code, 'VALIDATION');
    assert.match((res.json as { message: string }).message, message);
    assert.equal(sink.requests.length, 0);
  });
}

test('insert keys never appear in the logs', () => {
  const logged = [...hostLog, ...processLog.lines].join('\n');
  assert.ok(logged.includes('newrelic-event'));
  assert.equal(logged.includes(KEYS.main) || logged.includes(KEYS.backup), false);
});
