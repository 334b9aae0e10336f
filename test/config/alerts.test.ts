/** The alerts section: off by default with the contract's defaults, secrets redacted, cross-checks. */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { loadConfig, redactConfig } from '../../shared/config/load';
import { TempConfigDirs, loadError } from './temp-config-dir';

const dirs = new TempConfigDirs();
after(() => dirs.removeAll());

function withConfig(config: unknown) {
  const cwd = dirs.make({ 'butler.config.json': JSON.stringify(config) });
  return { env: {}, cwd };
}

void describe('alerts config', () => {
  void it('is off by default, with the contract defaults', () => {
    const { alerts } = loadConfig({ env: {}, cwd: dirs.make() });
    assert.equal(alerts.enabled, false);
    assert.equal(alerts.callbackBaseUrl, null);
    assert.equal(alerts.resubscribeSeconds, 300);
    assert.equal(alerts.backstopSeconds, 60);
    assert.deepEqual(alerts.outcomes, ['failed', 'aborted']);
    assert.deepEqual(alerts.tasks, { tag: [], customProperty: [] });
    assert.deepEqual(alerts.scriptLogLines, { head: 10, tail: 25 });
    assert.deepEqual(alerts.allowedHosts, []);
    assert.deepEqual(alerts.channels.slack, {
      webhookUrl: null,
      outcomes: null,
      tasks: null,
      maxScriptLogChars: 2900,
    });
    assert.deepEqual(alerts.channels.webhook, []);
    assert.equal(alerts.channels.email.smtp.port, 587);
    assert.equal(alerts.channels.email.smtp.password, null);
    assert.equal(alerts.channels.mqtt.topic, 'qliksense/reloadtask');
  });

  void it('takes secrets from ${env:} and redacts them', () => {
    const opts = withConfig({
      alerts: {
        enabled: true,
        allowedHosts: ['hooks.example.com'],
        channels: {
          slack: { webhookUrl: '${env:SLACK_URL}' },
          webhook: [{ name: 'a', url: 'https://hooks.example.com/x?token=t0k3n' }],
          email: {
            smtp: { host: 'smtp.example.com', user: 'u', password: '${env:SMTP_PASSWORD}' },
            from: 'b@example.com',
          },
        },
      },
    });
    const config = loadConfig({
      ...opts,
      env: { SLACK_URL: 'https://hooks.slack.com/services/secret', SMTP_PASSWORD: 'pw-secret' },
    });
    assert.equal(config.alerts.channels.slack.webhookUrl, 'https://hooks.slack.com/services/secret');
    assert.equal(config.alerts.channels.email.smtp.password, 'pw-secret');
    const shown = JSON.stringify(redactConfig(config));
    for (const secret of ['services/secret', 'pw-secret', 't0k3n'])
      assert.ok(!shown.includes(secret), secret);
  });

  void it('accepts a channel task selection and fills its defaults', () => {
    const config = loadConfig(
      withConfig({ alerts: { channels: { teams: { tasks: { tag: ['Nightly'] } } } } }),
    );
    assert.deepEqual(config.alerts.channels.teams.tasks, { tag: ['Nightly'], customProperty: [] });
  });

  void it('refuses a webhook whose host is not allowed, naming the host and not the URL', () => {
    const err = loadError(
      withConfig({
        alerts: {
          enabled: true,
          channels: { webhook: [{ name: 'a', url: 'http://169.254.169.254/latest?token=zz' }] },
        },
      }),
    );
    assert.match(err.message, /\/alerts\/channels\/webhook\/0\/url/);
    assert.match(err.message, /169\.254\.169\.254/);
    assert.ok(!err.message.includes('token=zz'));
  });

  void it('requires a sender with an SMTP host, and rejects unknown outcomes and keys', () => {
    assert.match(
      loadError(withConfig({ alerts: { enabled: true, channels: { email: { smtp: { host: 'smtp' } } } } }))
        .message,
      /\/alerts\/channels\/email\/from/,
    );
    assert.match(
      loadError(withConfig({ alerts: { outcomes: ['exploded'] } })).message,
      /\/alerts\/outcomes\/0/,
    );
    assert.match(loadError(withConfig({ alerts: { channels: { pager: {} } } })).message, /pager/);
    assert.match(
      loadError(withConfig({ alerts: { backstopSeconds: 1 } })).message,
      /\/alerts\/backstopSeconds/,
    );
  });
});

void describe('docs/alerts.md', () => {
  void it('its complete example is a valid config', async () => {
    const { readFileSync } = await import('node:fs');
    const path = await import('node:path');
    const doc = readFileSync(path.join(__dirname, '..', '..', '..', 'docs', 'alerts.md'), 'utf8');
    const yaml = /### Complete example\s+```yaml\n([\s\S]*?)```/.exec(doc)?.[1];
    assert.ok(yaml, 'example found');
    const cwd = dirs.make({ 'butler.config.yaml': yaml });
    const env = Object.fromEntries(
      [
        'AzureWebJobsStorage',
        'MQTT_PASSWORD',
        'SLACK_ALERT_WEBHOOK',
        'TEAMS_WORKFLOW_URL',
        'INCIDENT_TOKEN',
        'INCIDENT_KEY',
        'SMTP_PASSWORD',
      ].map((name) => [
        name,
        name === 'SLACK_ALERT_WEBHOOK' || name === 'TEAMS_WORKFLOW_URL'
          ? `https://x.example.com/${name}`
          : `v-${name}`,
      ]),
    );
    const config = loadConfig({ env, cwd });
    assert.equal(config.alerts.enabled, true);
    assert.equal(
      config.alerts.channels.webhook[0]?.url,
      'https://hooks.example.com/qlik?token=v-INCIDENT_TOKEN',
    );
    assert.deepEqual(config.alerts.channels.teams.tasks, { tag: ['Nightly'], customProperty: [] });
  });
});
