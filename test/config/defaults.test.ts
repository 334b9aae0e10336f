import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { defaultConfig, enabledEndpointNames, loadConfig, redactConfig } from '../../shared/config/load';
import { TempConfigDirs } from './temp-config-dir';

const dirs = new TempConfigDirs();
after(() => dirs.removeAll());

const ALL_ENDPOINTS = [
  'apiListEnabledEndpoints',
  'base62ToBase16',
  'base16ToBase62',
  'butlerping',
  'createDir',
  'createDirQVD',
  'fileDelete',
  'fileMove',
  'fileCopy',
  'keyValueStore',
  'mqttPublishMessage',
  'postNewRelicMetric',
  'postNewRelicEvent',
  'createNewSchedule',
  'getSchedule',
  'getScheduleStatusAll',
  'updateSchedule',
  'deleteSchedule',
  'startSchedule',
  'stopSchedule',
  'senseAppReload',
  'senseAppDump',
  'senseListApps',
  'senseStartTask',
  'slackPostMessage',
];

void describe('config without a file', () => {
  void it('takes every default from the contract', () => {
    const cwd = dirs.make();
    const config = loadConfig({ env: {}, cwd });
    assert.equal(config.source, null);
    assert.deepEqual(config.sense, {
      host: null,
      qrsPort: 4242,
      enginePort: 4747,
      serverName: null,
      cert: null,
      key: null,
      ca: null,
      rejectUnauthorized: true,
      userDirectory: 'INTERNAL',
      userId: 'sa_repository',
      timeoutMs: 30000,
      reloadWaitMs: 120000,
    });
    assert.equal(config.api.auth, 'function');
    assert.deepEqual(config.api.startTaskFilter, {
      enable: false,
      allowTask: { taskId: [], tag: [], customProperty: [] },
    });
    assert.deepEqual(config.state, {
      backend: 'file',
      dir: path.join(cwd, 'data'),
      table: { connectionString: null, tablePrefix: 'butler' },
    });
    assert.deepEqual(config.keyValueStore, {
      maxKeysPerNamespace: 1000,
      maxValueBytes: 65536,
      maxNamespaces: 1000,
      maxTotalBytes: 67108864,
    });
    assert.deepEqual(config.fileOps, { copy: [], move: [], delete: [], createDir: [], qvdRoot: null });
    assert.deepEqual(config.mqtt, {
      enabled: false,
      url: null,
      username: null,
      password: null,
      ca: null,
      cert: null,
      key: null,
      rejectUnauthorized: true,
      clientId: null,
      taskStartTopic: null,
      publishTimeoutMs: 5000,
    });
    assert.deepEqual(config.slack, { webhookUrl: null, timeoutMs: 10000 });
    assert.deepEqual(config.newRelic, {
      accounts: [],
      eventUrl: 'https://insights-collector.eu01.nr-data.net',
      metricUrl: 'https://insights-collector.eu01.nr-data.net/metric/v1',
      headers: [],
      staticAttributes: [],
      timeoutMs: 10000,
    });
  });

  void it('enables every endpoint, listed in Butler order', () => {
    const config = loadConfig({ env: {}, cwd: dirs.make() });
    assert.deepEqual(enabledEndpointNames(config), ALL_ENDPOINTS);
  });

  void it('defaultConfig equals loading with no file and no app settings', () => {
    const cwd = dirs.make();
    assert.deepEqual(defaultConfig({ cwd }), loadConfig({ env: {}, cwd }));
  });

  void it('defaultConfig ignores app settings and config files', () => {
    const cwd = dirs.make({ 'butler.config.yaml': 'sense:\n  host: from-file\n' });
    const config = defaultConfig({ cwd, env: { BUTLER__sense__host: 'from-env' } });
    assert.equal(config.sense.host, null);
    assert.equal(config.source, null);
  });

  void it('is deeply frozen', () => {
    const config = loadConfig({ env: {}, cwd: dirs.make() });
    assert.ok(Object.isFrozen(config));
    assert.ok(Object.isFrozen(config.api.endpoints.scheduler));
    assert.ok(Object.isFrozen(config.fileOps.copy));
    assert.throws(() => {
      config.sense.host = 'changed';
    }, TypeError);
    assert.throws(() => config.fileOps.delete.push('/x'), TypeError);
  });

  void it('returns a new object on every load', () => {
    const cwd = dirs.make();
    assert.notEqual(loadConfig({ env: {}, cwd }), loadConfig({ env: {}, cwd }));
  });
});

void describe('enabledEndpointNames', () => {
  void it('drops disabled flags, nested newRelic and scheduler ones included', () => {
    const cwd = dirs.make({
      'butler.config.yaml': [
        'api:',
        '  endpoints:',
        '    butlerping: false',
        '    newRelic: { postNewRelicEvent: false }',
        '    scheduler: { updateSchedule: false, stopSchedule: false }',
        '    slackPostMessage: false',
      ].join('\n'),
    });
    const names = enabledEndpointNames(loadConfig({ env: {}, cwd }));
    const disabled = [
      'butlerping',
      'postNewRelicEvent',
      'updateSchedule',
      'stopSchedule',
      'slackPostMessage',
    ];
    assert.deepEqual(
      names,
      ALL_ENDPOINTS.filter((name) => !disabled.includes(name)),
    );
  });

  void it('is empty when everything is off', () => {
    const cwd = dirs.make();
    const env = Object.fromEntries(ALL_ENDPOINTS.map((name) => [`BUTLER__api__endpoints__${name}`, 'false']));
    // the nested ones need their full path
    for (const name of ['postNewRelicMetric', 'postNewRelicEvent']) {
      delete env[`BUTLER__api__endpoints__${name}`];
      env[`BUTLER__api__endpoints__newRelic__${name}`] = 'false';
    }
    for (const name of ALL_ENDPOINTS.slice(13, 20)) {
      delete env[`BUTLER__api__endpoints__${name}`];
      env[`BUTLER__api__endpoints__scheduler__${name}`] = 'false';
    }
    assert.deepEqual(enabledEndpointNames(loadConfig({ env, cwd })), []);
  });
});

void describe('redactConfig', () => {
  void it('hides every secret that is set and keeps the rest', () => {
    const cwd = dirs.make({
      'butler.config.yaml': [
        'mqtt: { password: mqtt-secret, username: butler }',
        'slack: { webhookUrl: "https://hooks.slack.example/secret-hook" }',
        'state: { table: { connectionString: "AccountKey=table-secret" } }',
        'newRelic:',
        '  accounts: [{ name: main, insertApiKey: nr-secret, accountId: "42" }]',
        '  headers: [{ name: X-Api-Key, value: header-secret }]',
      ].join('\n'),
    });
    const config = loadConfig({ env: {}, cwd });
    const redacted = redactConfig(config) as typeof config;
    const text = JSON.stringify(redacted);
    for (const secret of ['mqtt-secret', 'secret-hook', 'table-secret', 'nr-secret', 'header-secret']) {
      assert.ok(!text.includes(secret), `${secret} leaked`);
    }
    assert.equal(redacted.mqtt.password, '***');
    assert.equal(redacted.mqtt.username, 'butler');
    assert.equal(redacted.newRelic.accounts[0]?.name, 'main');
    assert.equal(redacted.newRelic.headers[0]?.name, 'X-Api-Key');
    assert.equal(redacted.sense.host, null);
    // the original stays intact
    assert.equal(config.mqtt.password, 'mqtt-secret');
  });

  void it('keeps unset secrets visible as null', () => {
    const redacted = redactConfig(defaultConfig({ cwd: dirs.make() })) as { mqtt: { password: unknown } };
    assert.equal(redacted.mqtt.password, null);
  });
});
