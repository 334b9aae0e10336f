/**
 * Channel behaviour against real local sinks: Slack/Teams size limits (head and tail kept), Slack's
 * plain-text fallback, webhook GET, the outbound allow-list and redirect refusal, e-mail recipients and
 * the plain-text fallback when a template fails (real SMTP server).
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { DeliveryError } from '../../shared/alerts/channels/channel';
import { emailChannel, recipientsOf } from '../../shared/alerts/channels/email';
import { sendHttp } from '../../shared/alerts/channels/http-send';
import { slackChannel, slackPayload } from '../../shared/alerts/channels/slack';
import { teamsPayload } from '../../shared/alerts/channels/teams';
import { webhookChannel } from '../../shared/alerts/channels/webhook';
import { hostAllowed } from '../../shared/alerts/allowed-hosts';
import { fitScriptLog } from '../../shared/alerts/render';
import type { Logger } from '../../shared/log';
import { startHttpSink, startSmtpSink, type HttpSink, type SmtpSink } from '../helpers/alert-sinks';
import { createTestPki, type TestPki } from '../helpers/pki';
import { alertsConfig, sampleEvent } from './sample-event';

let sink: HttpSink;
let smtp: SmtpSink;
let pki: TestPki;
const signal = new AbortController().signal;
const warnings: string[] = [];
const log: Logger = { info: () => undefined, warn: (m) => warnings.push(m), error: (m) => warnings.push(m) };

before(async () => {
  pki = await createTestPki();
  sink = await startHttpSink();
  smtp = await startSmtpSink(pki, { user: 'u', password: 'p' });
});
after(async () => {
  await sink?.close();
  await smtp?.close();
  if (pki) await rm(pki.dir, { recursive: true, force: true });
});

function bigLogEvent() {
  const head = Array.from({ length: 10 }, (_, i) => `HEAD ${i} <&> ${'h'.repeat(300)}`);
  const tail = Array.from({ length: 25 }, (_, i) => `TAIL ${i} <&> ${'t'.repeat(300)}`);
  tail.push('THE LAST LINE: Error <here>');
  return sampleEvent({ scriptLog: { head, tail, totalLines: 5000 } });
}

describe('size limits', () => {
  it('Slack keeps every text block within 3,000 characters, with the head start and the tail end', () => {
    const payload = slackPayload(bigLogEvent(), 2900) as { blocks: { text?: { text: string } }[] };
    const logBlock = payload.blocks.at(-1)?.text?.text ?? '';
    assert.ok(logBlock.length <= 3000, `log block is ${logBlock.length} characters`);
    assert.ok(logBlock.startsWith('```HEAD 0 &lt;&amp;&gt;'), 'head kept, escaped');
    assert.ok(logBlock.endsWith('THE LAST LINE: Error &lt;here&gt;```'), 'tail end kept, escaped');
  });

  it('Teams keeps the script log within the configured characters', () => {
    const card = JSON.stringify(teamsPayload(bigLogEvent(), 2900));
    const body = (JSON.parse(card) as { attachments: { content: { body: { text?: string }[] } }[] })
      .attachments[0]?.content.body;
    const log = body?.at(-1)?.text ?? '';
    assert.ok(log.length <= 2900);
    assert.ok(log.startsWith('HEAD 0') && log.endsWith('THE LAST LINE: Error <here>'));
  });

  it('a short log is sent whole; an unavailable one says why', () => {
    assert.equal(
      fitScriptLog(sampleEvent(), 3000),
      "20240601T020500.000+0000 Execution started.\n20240601T020512.000+0000 Error: Cannot open file 'lib://DataFiles/Finance.qvd'",
    );
    assert.match(
      fitScriptLog(sampleEvent({ scriptLog: null, scriptLogError: 'HTTP 404' }), 3000),
      /unavailable: HTTP 404/,
    );
  });
});

describe('HTTP channels', () => {
  it('Slack falls back to plain text when the formatted message is refused', async () => {
    sink.behave('/slack-refuses', { status: 400, times: 1 });
    const channel = slackChannel(alertsConfig(), `${sink.url}/slack-refuses`);
    await channel.send(sampleEvent(), signal);
    const sent = sink.requests.filter((r) => r.path === '/slack-refuses');
    assert.equal(sent.length, 2);
    assert.ok('blocks' in (sent[0]?.json as object));
    const plain = sent[1]?.json as { text: string; blocks?: unknown };
    assert.equal(plain.blocks, undefined);
    assert.match(plain.text, /Reload Finance/);
    assert.match(plain.text, /Finance\.qvd/);
  });

  it('a GET webhook sends the fields as query parameters', async () => {
    const channel = webhookChannel(alertsConfig(), {
      name: 'get',
      url: `${sink.url}/get-hook?static=1`,
      method: 'GET',
      headers: [],
      outcomes: null,
      tasks: null,
    });
    assert.equal(channel.id, 'webhook-get');
    await channel.send(sampleEvent(), signal);
    const req = sink.requests.filter((r) => r.path === '/get-hook').at(-1);
    assert.equal(req?.method, 'GET');
    assert.equal(req?.query.get('static'), '1');
    assert.equal(req?.query.get('taskName'), 'Reload Finance');
    assert.equal(req?.query.get('outcome'), 'failed');
    assert.match(req?.query.get('scriptLogTail') ?? '', /Finance\.qvd/);
  });

  it('refuses a host outside the allow-list without connecting, and redirects leaving it', async () => {
    const before = sink.requests.length;
    await assert.rejects(
      sendHttp({
        url: 'http://localhost:9/x',
        method: 'POST',
        json: {},
        allowedHosts: ['127.0.0.1'],
        timeoutMs: 1000,
        signal,
      }),
      (err: unknown) => err instanceof DeliveryError && !err.retryable && /localhost/.test(err.message),
    );
    sink.behave('/redirect-out', { status: 302, location: 'http://169.254.169.254/latest/meta-data' });
    await assert.rejects(
      sendHttp({
        url: `${sink.url}/redirect-out`,
        method: 'POST',
        json: {},
        allowedHosts: ['127.0.0.1'],
        timeoutMs: 1000,
        signal,
      }),
      /redirect \(302\) to host 169\.254\.169\.254 refused/,
    );
    assert.equal(sink.requests.length, before + 1, 'only the redirecting sink was called');

    sink.behave('/redirect-in', { status: 307, location: '/landing' });
    const ok = await sendHttp({
      url: `${sink.url}/redirect-in`,
      method: 'PUT',
      json: { a: 1 },
      allowedHosts: ['127.0.0.1'],
      timeoutMs: 1000,
      signal,
    });
    assert.equal(ok.status, 200);
    const landing = sink.requests.at(-1);
    assert.equal(landing?.path, '/landing');
    assert.equal(landing?.method, 'PUT');
    assert.deepEqual(landing?.json, { a: 1 });
  });

  it('Slack and Teams never follow redirects', async () => {
    sink.behave('/slack-moved', { status: 301, location: '/elsewhere' });
    await assert.rejects(
      slackChannel(alertsConfig(), `${sink.url}/slack-moved`).send(sampleEvent(), signal),
      /refused/,
    );
  });

  it('allow-list entries match exactly or as *.domain', () => {
    assert.ok(hostAllowed('Hooks.Example.com', ['hooks.example.com']));
    assert.ok(hostAllowed('a.b.example.com', ['*.example.com']));
    assert.ok(!hostAllowed('example.com', ['*.example.com']));
    assert.ok(!hostAllowed('evilexample.com', ['*.example.com']));
    assert.ok(hostAllowed('[::1]', ['::1']));
  });
});

describe('e-mail', () => {
  const smtpConfig = (bodyTemplate: string | null) =>
    alertsConfig((c) => {
      c.channels.email.smtp = {
        ...c.channels.email.smtp,
        host: '127.0.0.1',
        port: smtp.port,
        requireTls: true,
        ca: pki.caCert,
        user: 'u',
        password: 'p',
      };
      c.channels.email.from = 'butler@example.com';
      c.channels.email.to = ['ops@example.com', 'not an address'];
      c.channels.email.bodyTemplate = bodyTemplate;
      c.channels.email.includeAppOwner = true;
    });

  it('recipients: config list, task custom property values, app owner; deduplicated and checked', () => {
    assert.deepEqual(recipientsOf(smtpConfig(null), sampleEvent()), [
      'ops@example.com',
      'finance@example.com',
      'cfo@example.com',
      'jane.doe@example.com',
    ]);
  });

  it('renders the Handlebars template', async () => {
    const channel = emailChannel(
      smtpConfig('<p>{{taskName}} is {{executionStatusText}}{{#if (eq outcome "failed")}}!{{/if}}</p>'),
      log,
    );
    await channel.send(sampleEvent(), signal);
    await channel.close?.();
    const mail = smtp.messages.at(-1);
    assert.ok(mail?.text.includes('<p>Reload Finance is FinishedFail!</p>'));
  });

  it('a template that fails still delivers a plain-text message', async () => {
    const count = smtp.messages.length;
    const channel = emailChannel(smtpConfig('<p>{{> noSuchPartial}}</p>'), log);
    await channel.send(sampleEvent(), signal);
    await channel.close?.();
    assert.equal(smtp.messages.length, count + 1);
    const mail = smtp.messages.at(-1);
    assert.ok(mail);
    assert.ok(!/text\/html/.test(mail.raw), 'no HTML part');
    for (const text of [
      'Reload Finance',
      'Finance',
      'FinishedFail',
      "Cannot open file 'lib://DataFiles/Finance.qvd'",
    ]) {
      assert.ok(mail.text.includes(text), `plain text mentions ${text}`);
    }
    assert.ok(warnings.some((w) => /template failed/.test(w)));
  });
});
