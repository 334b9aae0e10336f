import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../shared/config/load';
import { TempConfigDirs, loadError } from './temp-config-dir';

const dirs = new TempConfigDirs();
after(() => dirs.removeAll());

const SECRET = 'p4ss-W0rd-that-must-not-leak';

function withYaml(yaml: string): string {
  return dirs.make({ 'butler.config.yaml': yaml });
}

void describe('${env:NAME} references', () => {
  void it('replace a whole value with the app setting', () => {
    const cwd = withYaml(
      'mqtt:\n  password: ${env:MQTT_PASSWORD}\nstate:\n  table: { connectionString: "${env:AzureWebJobsStorage}" }\n',
    );
    const config = loadConfig({
      env: { MQTT_PASSWORD: SECRET, AzureWebJobsStorage: 'UseDevelopmentStorage=true' },
      cwd,
    });
    assert.equal(config.mqtt.password, SECRET);
    assert.equal(config.state.table.connectionString, 'UseDevelopmentStorage=true');
  });

  void it('work inside arrays and JSON files', () => {
    const cwd = dirs.make({
      'butler.config.json': JSON.stringify({
        newRelic: {
          accounts: [{ name: 'main', insertApiKey: '${env:NR_KEY}', accountId: '${env:NR_ACCOUNT}' }],
        },
      }),
    });
    const config = loadConfig({ env: { NR_KEY: SECRET, NR_ACCOUNT: '42' }, cwd });
    assert.deepEqual(config.newRelic.accounts, [{ name: 'main', insertApiKey: SECRET, accountId: '42' }]);
  });

  void it('coerce a whole value to the setting type', () => {
    const cwd = withYaml('sense: { qrsPort: "${env:QRS_PORT}", rejectUnauthorized: "${env:REJECT}" }');
    const config = loadConfig({ env: { QRS_PORT: '14242', REJECT: 'false' }, cwd });
    assert.equal(config.sense.qrsPort, 14242);
    assert.equal(config.sense.rejectUnauthorized, false);
  });

  void it('replace references embedded in a longer string', () => {
    const cwd = withYaml(
      'state:\n  table: { connectionString: "AccountName=${env:ACC};AccountKey=${env:KEY};" }\n',
    );
    const config = loadConfig({ env: { ACC: 'dev', KEY: SECRET }, cwd });
    assert.equal(config.state.table.connectionString, `AccountName=dev;AccountKey=${SECRET};`);
  });

  void it('an empty app setting clears a nullable setting', () => {
    const cwd = withYaml('mqtt: { password: "${env:MQTT_PASSWORD}" }');
    assert.equal(loadConfig({ env: { MQTT_PASSWORD: '' }, cwd }).mqtt.password, null);
  });

  void it('a missing app setting is an error naming pointer and variable', () => {
    const cwd = withYaml('mqtt:\n  password: ${env:MQTT_PASSWORD}\n');
    const error = loadError({ env: {}, cwd });
    assert.equal(error.pointer, '/mqtt/password');
    assert.match(error.message, /^Invalid config \/mqtt\/password: app setting MQTT_PASSWORD .* is not set/);
  });

  void it('malformed references are errors', () => {
    for (const value of ['${env:}', '${env:MQTT_PASSWORD', 'x${env:BAD NAME}']) {
      const error = loadError({
        env: { MQTT_PASSWORD: SECRET },
        cwd: withYaml(`mqtt: { password: "${value}" }`),
      });
      assert.equal(error.pointer, '/mqtt/password', value);
      assert.match(error.message, /malformed/, value);
    }
  });

  void it('never put the value in an error message', () => {
    const failing: [string, Record<string, string>][] = [
      // type coercion fails
      ['sense: { qrsPort: "${env:V}" }', { V: SECRET }],
      // pattern fails on a secret
      ['slack: { webhookUrl: "${env:V}" }', { V: SECRET }],
      // a later setting is missing while a secret was substituted
      ['mqtt: { password: "${env:V}", username: "${env:MISSING}" }', { V: SECRET }],
      // validation fails elsewhere in the same object
      [
        'newRelic: { accounts: [{ name: a, insertApiKey: "${env:V}", accountId: "not-a-number" }] }',
        { V: SECRET },
      ],
      // cross-check fails
      [
        'state: { backend: table, table: { connectionString: "${env:V}" } }\nmqtt: { enabled: true }',
        { V: SECRET },
      ],
    ];
    for (const [yaml, env] of failing) {
      const error = loadError({ env, cwd: withYaml(yaml) });
      assert.ok(!error.message.includes(SECRET), error.message);
      assert.ok(!String(error.stack).includes(SECRET), 'stack leaks the secret');
    }
  });

  void it('a validation error names the app setting that supplied the value', () => {
    const error = loadError({ env: { V: SECRET }, cwd: withYaml('slack: { webhookUrl: "${env:V}" }') });
    assert.equal(error.pointer, '/slack/webhookUrl');
    assert.match(error.message, /must match pattern .* \(value from app setting V\)/);
  });
});
