/**
 * Slack and New Relic without settings answer 503 NOT_CONFIGURED naming the setting; switched off they
 * answer 404 ENDPOINT_DISABLED; an upstream that refuses connections is a 502 naming the error code.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { freePort } from '../helpers/mqtt-broker';
import { startProductHost, type ProductHost } from '../helpers/product-host';

let api: ProductHost | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

const SLACK = {
  path: '/v4/slackpostmessage',
  method: 'PUT',
  body: { channel: 'c', from_user: 'u', msg: 'm' },
};
const EVENT = { path: '/v4/newrelic/event', method: 'POST', body: { eventType: 'E' } };
const METRIC = { path: '/v4/newrelic/metric', method: 'POST', body: { name: 'm', type: 'gauge', value: 1 } };

test('no webhook URL and no New Relic account → 503 NOT_CONFIGURED naming the setting', async () => {
  api = await startProductHost();
  for (const [call, setting] of [
    [SLACK, /slack\.webhookUrl is not set/],
    [EVENT, /newRelic\.accounts is empty/],
    [METRIC, /newRelic\.accounts is empty/],
  ] as const) {
    const res = await api.call(call.path, { method: call.method, body: call.body });
    assert.equal(res.status, 503, `${call.path}: ${res.text}`);
    assert.equal((res.json as { code: string }).code, 'NOT_CONFIGURED');
    assert.match((res.json as { message: string }).message, setting);
  }
});

test('switched off in api.endpoints → 404 ENDPOINT_DISABLED', async () => {
  api = await startProductHost({
    config: {
      api: {
        endpoints: {
          slackPostMessage: false,
          mqttPublishMessage: false,
          newRelic: { postNewRelicEvent: false, postNewRelicMetric: false },
        },
      },
    },
  });
  const publish = { path: '/v4/mqttpublishmessage', method: 'PUT', body: { topic: 't', message: 'm' } };
  for (const call of [SLACK, EVENT, METRIC, publish]) {
    const res = await api.call(call.path, { method: call.method, body: call.body });
    assert.equal(res.status, 404, `${call.path}: ${res.text}`);
    assert.equal((res.json as { code: string }).code, 'ENDPOINT_DISABLED');
  }
});

test('an upstream refusing connections → 502 SLACK_ERROR / NEW_RELIC_ERROR naming ECONNREFUSED', async () => {
  const port = await freePort();
  api = await startProductHost({
    config: {
      slack: { webhookUrl: `http://127.0.0.1:${port}/services/secret-path` },
      newRelic: {
        accounts: [{ name: 'main', insertApiKey: 'NRAK-x', accountId: '1' }],
        eventUrl: `http://127.0.0.1:${port}`,
        metricUrl: `http://127.0.0.1:${port}/metric/v1`,
      },
    },
  });
  for (const [call, code, who] of [
    [SLACK, 'SLACK_ERROR', 'Slack'],
    [EVENT, 'NEW_RELIC_ERROR', "New Relic account 'main'"],
    [METRIC, 'NEW_RELIC_ERROR', "New Relic account 'main'"],
  ] as const) {
    const res = await api.call(call.path, { method: call.method, body: call.body });
    assert.equal(res.status, 502, `${call.path}: ${res.text}`);
    assert.equal((res.json as { code: string }).code, code);
    assert.equal((res.json as { message: string }).message, `${who} could not be reached: ECONNREFUSED`);
    assert.equal(res.text.includes('secret-path'), false);
  }
});
