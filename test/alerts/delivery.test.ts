/**
 * Reload alerts end to end: the simulator finishes tasks (failed, aborted, successful), QRS calls our
 * callback, and every channel's real sink gets exactly one message with task, app, status and the
 * script log's tail. Also: a dropped callback still alerts once through the backstop, a sink failing
 * twice gets the alert once, one always failing ends in the dead-letter record without holding back
 * the others, a QRS restart is followed by a new subscription, and no secret reaches the logs.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FIXTURE } from '../sensesim/index';
import type { SimExecutionResult } from '../sensesim/index';
import { eventually } from '../helpers/alert-sinks';
import { assertSenseIdentity } from '../helpers/sense-env';
import { SECRETS, startAlertEnv, type AlertEnv } from './alerts-env';

let t: AlertEnv;

const LOG = Array.from({ length: 40 }, (_, i) => `20240601T020500.000+0000 line ${i + 1} of the script`);
LOG.push("20240601T020512.000+0000 Error: Cannot open file 'lib://DataFiles/Missing.qvd'");

before(async () => {
  t = await startAlertEnv();
  t.sink.behave('/flaky', { status: 500, times: 2 });
  t.sink.behave('/dead', { status: 503 });
  await eventually('a QRS subscription', () => t.env.sim.notifications.subscriptions.size === 1);
});
after(async () => {
  await t?.close();
});

function mentions(value: unknown, text: string): boolean {
  return (typeof value === 'string' ? value : JSON.stringify(value)).includes(text);
}

/** Successful deliveries per channel that carry this execution result id. */
function deliveries(resultId: string) {
  const http = (path: string) => t.sink.delivered(path).filter((r) => mentions(r.body, resultId));
  return {
    slack: http(SECRETS.slackPath),
    teams: http('/teams/workflow'),
    hook: http('/hook'),
    flaky: http('/flaky'),
    email: t.smtp.messages.filter((m) => m.text.includes(resultId)),
    mqtt: t.mqtt.messages.filter((m) => m.payload.includes(resultId)),
  };
}

function counts(resultId: string): Record<string, number> {
  return Object.fromEntries(Object.entries(deliveries(resultId)).map(([k, v]) => [k, v.length]));
}

const ONE_EACH = { slack: 1, teams: 1, hook: 1, flaky: 1, email: 1, mqtt: 1 };

async function deadLetters() {
  const { getServices } = await import('../../shared/bootstrap.js');
  const alerts = getServices().alerts;
  assert.ok(alerts, 'alerts service is built');
  return alerts.deadLetters();
}

async function allDelivered(result: SimExecutionResult): Promise<void> {
  await eventually(`every channel delivered ${result.id}`, async () => {
    const c = counts(result.id);
    const dead = (await deadLetters()).some((d) => d.resultId === result.id && d.channel === 'webhook-dead');
    return dead && Object.values(c).every((n) => n >= 1);
  });
}

/** Waits until a backstop run that started after this call has ended, deliveries included. */
async function backstopRanAfter(): Promise<void> {
  const { getServices } = await import('../../shared/bootstrap.js');
  const alerts = getServices().alerts;
  assert.ok(alerts, 'alerts service is built');
  await alerts.nextBackstopRun();
}

describe('pushed detection', () => {
  it('a failed reload reaches every channel once, with task, app, status and the log tail', async () => {
    t.env.sim.notifications.knobs.copies = 2; // QRS duplicates: still one alert per channel
    const result = await t.env.sim.finishTask(FIXTURE.taskReloadSales, { outcome: 'fail', scriptLog: LOG });
    t.env.sim.notifications.knobs.copies = 1;
    await allDelivered(result);
    assert.deepEqual(counts(result.id), ONE_EACH);

    const d = deliveries(result.id);
    const tail = LOG.at(-1) ?? '';
    const slack = JSON.stringify(d.slack[0]?.json);
    for (const text of [
      'Reload Sales',
      'Sales',
      'FinishedFail',
      'failed',
      "Cannot open file 'lib://DataFiles/Missing.qvd'",
    ]) {
      assert.ok(slack.includes(text), `slack mentions ${text}`);
    }
    assert.ok(!slack.includes('line 6 of'), 'slack: only head (5) and tail (8) lines');

    const card = d.teams[0]?.json as {
      type: string;
      attachments: { contentType: string; content: { type: string } }[];
    };
    assert.equal(card.type, 'message');
    assert.equal(card.attachments[0]?.contentType, 'application/vnd.microsoft.card.adaptive');
    assert.equal(card.attachments[0]?.content.type, 'AdaptiveCard');
    assert.ok(mentions(card, 'Reload Sales') && mentions(card, 'Missing.qvd'));

    const hook = d.hook[0];
    assert.equal(hook?.method, 'POST');
    assert.equal(hook?.headers['x-api-key'], SECRETS.hookHeader);
    const fields = hook?.json as Record<string, unknown>;
    assert.equal(fields.taskName, 'Reload Sales');
    assert.equal(fields.taskId, FIXTURE.taskReloadSales);
    assert.equal(fields.appName, 'Sales');
    assert.equal(fields.appId, FIXTURE.appSales);
    assert.equal(fields.outcome, 'failed');
    assert.equal(fields.executionStatusText, 'FinishedFail');
    assert.equal(fields.executionId, result.executionID);
    assert.equal(fields.appOwnerEmail, 'jane.doe@example.com');
    assert.deepEqual((fields.scriptLogTail as string[]).at(-1), tail);
    assert.equal((fields.scriptLogHead as string[]).length, 5);

    const mail = d.email[0];
    assert.ok(mail);
    assert.equal(mail.user, 'alerts', 'SMTP login');
    assert.equal(mail.secure, true, 'STARTTLS');
    assert.deepEqual(
      [...mail.to].sort(),
      ['jane.doe@example.com', 'ops@example.com', 'sales-ops@example.com'],
      'config list, task custom property and app owner',
    );
    for (const text of [
      'Reload Sales',
      'FinishedFail',
      'Missing.qvd',
      'Subject: Qlik Sense reload failed: Reload Sales',
    ]) {
      assert.ok(mail.text.includes(text), `e-mail mentions ${text}`);
    }

    const mqtt = d.mqtt[0];
    assert.equal(mqtt?.topic, 'qliksense/reloadtask/failed');
    const payload = JSON.parse(mqtt?.payload ?? '{}') as Record<string, unknown>;
    assert.equal(payload.taskName, 'Reload Sales');
    assert.equal(payload.appName, 'Sales');
    assert.deepEqual((payload.scriptLogTail as string[]).at(-1), tail);
  });

  it('an aborted reload alerts once per channel', async () => {
    const result = await t.env.sim.finishTask(FIXTURE.taskReloadFinance, { outcome: 'abort' });
    await allDelivered(result);
    assert.deepEqual(counts(result.id), ONE_EACH);
    const fields = deliveries(result.id).hook[0]?.json as Record<string, unknown>;
    assert.equal(fields.outcome, 'aborted');
    assert.equal(fields.executionStatusText, 'Aborted');
    assert.equal(fields.appName, 'Finance');
    assert.ok((fields.scriptLogTail as string[]).length > 0, 'log tail present');
    assert.equal(deliveries(result.id).mqtt[0]?.topic, 'qliksense/reloadtask/aborted');
  });

  it('a successful reload alerts once per channel', async () => {
    const result = await t.env.sim.finishTask(FIXTURE.taskReloadHr, { outcome: 'success' });
    await allDelivered(result);
    assert.deepEqual(counts(result.id), ONE_EACH);
    const fields = deliveries(result.id).hook[0]?.json as Record<string, unknown>;
    assert.equal(fields.outcome, 'success');
    assert.equal(fields.taskName, 'Reload HR');
    assert.equal(fields.appName, 'HR Ünïcødé');
    assert.ok(mentions(fields.scriptLogTail, 'Execution finished.'));
  });

  it('the backstop, seeing the same results again, sends nothing more', async () => {
    const ids = t.env.sim.fixtures.executionResults.slice(-3).map((r) => r.id);
    await backstopRanAfter();
    for (const id of ids) assert.deepEqual(counts(id), ONE_EACH, id);
  });
});

describe('delivery guarantees', () => {
  it('a sink that fails twice gets the alert once (third attempt)', () => {
    const flaky = t.sink.requests.filter((r) => r.path === '/flaky');
    assert.deepEqual(
      flaky.slice(0, 3).map((r) => r.status),
      [500, 500, 200],
    );
    assert.equal(flaky[0]?.method, 'PUT');
  });

  it('a sink that always fails ends in the dead-letter record', async () => {
    const letters = (await deadLetters()).filter((d) => d.channel === 'webhook-dead');
    assert.equal(letters.length, 3, 'one per execution result');
    const first = letters.find((d) => d.taskId === FIXTURE.taskReloadSales);
    assert.ok(first);
    assert.equal(first.attempts, 3);
    assert.equal(first.error, 'HTTP 503');
    assert.equal(first.taskName, 'Reload Sales');
    assert.equal(first.appName, 'Sales');
  });
});

describe('backstop and re-subscription', () => {
  it('a dropped callback still alerts exactly once, through the backstop', async () => {
    t.env.sim.notifications.knobs.suppress = true;
    const callbacksBefore = t.env.sim.notifications.callbacks.length;
    const result = await t.env.sim.finishTask(FIXTURE.taskReloadFinance, { outcome: 'fail' });
    t.env.sim.notifications.knobs.suppress = false;
    assert.equal(t.env.sim.notifications.callbacks.length, callbacksBefore, 'no callback was made');
    await allDelivered(result);
    await backstopRanAfter();
    assert.deepEqual(counts(result.id), ONE_EACH);
  });

  it('after a QRS restart forgets the subscription, the host subscribes again and callbacks resume', async () => {
    t.env.sim.restartQrs();
    assert.equal(t.env.sim.notifications.subscriptions.size, 0);
    await eventually('a new subscription', () => t.env.sim.notifications.subscriptions.size === 1, 20_000);
    const sub = [...t.env.sim.notifications.subscriptions.values()][0];
    assert.equal(sub?.name, 'ExecutionResult');
    assert.equal(sub?.changeType, 'Update');
    assert.match(sub?.url ?? '', /\/alerts\/qrs-callback\?code=/);
    assert.ok(sub?.url.endsWith(`code=${SECRETS.callbackKey}`), "the callback function's own key");

    const result = await t.env.sim.finishTask(FIXTURE.taskReloadSales, { outcome: 'success' });
    const callback = t.env.sim.notifications.callbacks.at(-1);
    assert.equal(callback?.status, 202, 'the callback was accepted');
    await allDelivered(result);
    assert.deepEqual(counts(result.id), ONE_EACH);
  });

  it('every QRS call used the client certificate, xrfkey and service user', () => {
    assert.ok(assertSenseIdentity(t.env.sim) > 0);
  });
});

describe('callback endpoint', () => {
  it('refuses a call without the key and a malformed body', async () => {
    const noKey = await t.env.api.call('/alerts/qrs-callback', { method: 'POST', body: [], key: null });
    assert.equal(noKey.status, 401);
    const bad = await t.env.api.call('/alerts/qrs-callback', { method: 'POST', body: { objectID: 'x' } });
    assert.equal(bad.status, 400);
    assert.equal((bad.json as { code: string }).code, 'VALIDATION');
    const item = await t.env.api.call('/alerts/qrs-callback', { method: 'POST', body: [{ objectType: 1 }] });
    assert.equal(item.status, 400);
    assert.match((item.json as { message: string }).message, /body\[0\]/);
  });
});

describe('secrets', () => {
  it('no webhook URL, header value, SMTP password or callback key appears in the output', () => {
    const output = t.output.join('');
    assert.ok(output.includes('alerts: sent'), 'alert log lines were captured');
    for (const secret of Object.values(SECRETS))
      assert.ok(!output.includes(secret), `output leaks ${secret}`);
  });
});
