/**
 * PUT /v4/slackpostmessage against a local sink standing in for the Slack webhook: the exact payload
 * Butler sends, truncation at Slack's limit, refusals → 502 with Slack's status and text, a webhook
 * that never answers → 504, and the webhook URL never shown.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import type { ConsoleCapture } from '../helpers/console-capture';
import type { HttpSink } from '../helpers/http-sink';
import type { ProductHost } from '../helpers/product-host';
import { startSinkHost, type SinkHost } from '../helpers/sink-host';

const HOOK_SECRET = 'T0001/B0002/hook-secret-7f3a';
let sink: HttpSink;
let api: ProductHost;
let hostLog: string[];
let processLog: ConsoleCapture;

let env: SinkHost | undefined;

before(async () => {
  env = await startSinkHost((url) => ({
    slack: { webhookUrl: `${url}/services/${HOOK_SECRET}`, timeoutMs: 300 },
  }));
  ({ sink, api, hostLog, processLog } = env);
});
after(() => env?.close());
beforeEach(() => {
  sink.requests.length = 0;
  sink.answer = () => ({ status: 200, body: 'ok' });
});

function post(body: unknown) {
  return api.call('/v4/slackpostmessage', { method: 'PUT', body: body as object });
}

test('the message reaches the webhook exactly as Butler sends it; 201 echoes the request', async () => {
  const body = { channel: '#reloads', from_user: 'Butler', msg: 'Sales reloaded ✓', emoji: ':ghost:' };
  const res = await post(body);
  assert.equal(res.status, 201, res.text);
  assert.deepEqual(res.json, body);
  assert.equal(sink.requests.length, 1);
  const [req] = sink.requests;
  assert.equal(req!.method, 'POST');
  assert.equal(req!.path, `/services/${HOOK_SECRET}`);
  assert.equal(req!.headers['content-type'], 'application/json; charset=utf-8');
  assert.equal(
    req!.body,
    '{"username":"Butler","channel":"#reloads","icon_emoji":":ghost:",' +
      '"blocks":[{"type":"section","text":{"type":"plain_text","text":"Sales reloaded ✓"}}]}',
  );
});

test('without emoji the payload has no icon_emoji; POST with override PUT works the same', async () => {
  const res = await api.call('/v4/slackpostmessage', {
    method: 'POST',
    headers: { 'x-http-method-override': 'PUT' },
    body: { channel: '#c', from_user: 'u', msg: 'm' },
  });
  assert.equal(res.status, 201, res.text);
  assert.deepEqual(res.json, { channel: '#c', from_user: 'u', msg: 'm' });
  assert.deepEqual(JSON.parse(sink.requests[0]!.body), {
    username: 'u',
    channel: '#c',
    blocks: [{ type: 'section', text: { type: 'plain_text', text: 'm' } }],
  });
});

test('a message over 3,000 characters is cut to 3,000 ending in …; the echo keeps what was sent', async () => {
  const msg = '😀'.repeat(10) + 'x'.repeat(3100);
  const res = await post({ channel: '#c', from_user: 'u', msg });
  assert.equal(res.status, 201, res.text);
  assert.equal((res.json as { msg: string }).msg, msg);
  const sent = (JSON.parse(sink.requests[0]!.body) as { blocks: { text: { text: string } }[] }).blocks[0]!
    .text.text;
  assert.equal(Array.from(sent).length, 3000);
  assert.equal(sent, `${'😀'.repeat(10)}${'x'.repeat(2989)}…`);
});

test("Slack refuses (404 channel_not_found) → 502 SLACK_ERROR with the status and Slack's text", async () => {
  sink.answer = () => ({ status: 404, body: 'channel_not_found' });
  const res = await post({ channel: '#gone', from_user: 'u', msg: 'm' });
  assert.equal(res.status, 502, res.text);
  assert.deepEqual(res.json, {
    statusCode: 502,
    error: 'Bad Gateway',
    message: 'Slack answered 404 channel_not_found',
    code: 'SLACK_ERROR',
  });
});

test('Slack fails (500) → 502 SLACK_ERROR naming 500', async () => {
  sink.answer = () => ({ status: 500, body: '' });
  const res = await post({ channel: '#c', from_user: 'u', msg: 'm' });
  assert.equal(res.status, 502, res.text);
  assert.match((res.json as { message: string }).message, /^Slack answered 500 Internal Server Error$/);
});

test('a webhook that never answers → 504 UPSTREAM_TIMEOUT naming slack.timeoutMs', async () => {
  sink.answer = () => 'hang';
  const res = await post({ channel: '#c', from_user: 'u', msg: 'm' });
  assert.equal(res.status, 504, res.text);
  assert.deepEqual(res.json, {
    statusCode: 504,
    error: 'Gateway Timeout',
    message: 'Slack did not answer within 300 ms (slack.timeoutMs)',
    code: 'UPSTREAM_TIMEOUT',
  });
});

for (const [name, body, message] of [
  ['no body', undefined, /^body must be object$/],
  ['missing channel', { from_user: 'u', msg: 'm' }, /^body must have required property 'channel'$/],
  ['missing from_user', { channel: 'c', msg: 'm' }, /^body must have required property 'from_user'$/],
  ['missing msg', { channel: 'c', from_user: 'u' }, /^body must have required property 'msg'$/],
  [
    'empty msg',
    { channel: 'c', from_user: 'u', msg: '' },
    /^body\/msg must NOT have fewer than 1 characters$/,
  ],
  ['object msg', { channel: 'c', from_user: 'u', msg: { a: 1 } }, /^body\/msg must be string$/],
  ['array channel', { channel: ['a', 'b'], from_user: 'u', msg: 'm' }, /^body\/channel must be string$/],
  [
    'long emoji',
    { channel: 'c', from_user: 'u', msg: 'm', emoji: 'e'.repeat(101) },
    /^body\/emoji must NOT have more than 100/,
  ],
] as const) {
  test(`bad input (${name}) → 400 VALIDATION naming the field, nothing sent`, async () => {
    const res = await post(body);
    assert.equal(res.status, 400, res.text);
    assert.equal((res.json as { code: string }).code, 'VALIDATION');
    assert.match((res.json as { message: string }).message, message);
    assert.equal(sink.requests.length, 0);
  });
}

test('the webhook URL never appears in a response or the logs', () => {
  const logged = [...hostLog, ...processLog.lines].join('\n');
  assert.ok(logged.includes('slackpostmessage'));
  assert.equal(logged.includes('hook-secret'), false);
});
