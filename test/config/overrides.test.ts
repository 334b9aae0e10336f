import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../shared/config/load';
import { TempConfigDirs, loadError } from './temp-config-dir';

const dirs = new TempConfigDirs();
after(() => dirs.removeAll());

void describe('BUTLER__ overrides', () => {
  void it('override file values and defaults, nested, with type coercion', () => {
    const cwd = dirs.make({ 'butler.config.yaml': 'sense: { host: from-file, qrsPort: 1 }\n' });
    const config = loadConfig({
      cwd,
      env: {
        BUTLER__sense__host: 'qlik.example.com',
        BUTLER__sense__qrsPort: '4243',
        BUTLER__sense__rejectUnauthorized: 'FALSE',
        BUTLER__api__endpoints__newRelic__postNewRelicEvent: 'false',
        BUTLER__api__endpoints__scheduler__stopSchedule: 'false',
        BUTLER__keyValueStore__maxKeysPerNamespace: '5',
        UNRELATED: 'x',
      },
    });
    assert.equal(config.sense.host, 'qlik.example.com');
    assert.equal(config.sense.qrsPort, 4243);
    assert.equal(config.sense.rejectUnauthorized, false);
    assert.equal(config.api.endpoints.newRelic.postNewRelicEvent, false);
    assert.equal(config.api.endpoints.newRelic.postNewRelicMetric, true);
    assert.equal(config.api.endpoints.scheduler.stopSchedule, false);
    assert.equal(config.keyValueStore.maxKeysPerNamespace, 5);
  });

  void it('match path segments case-insensitively', () => {
    const config = loadConfig({
      cwd: dirs.make(),
      env: { BUTLER__SENSE__HOST: 'upper', butler__mqtt__clientid: 'lower' },
    });
    assert.equal(config.sense.host, 'upper');
    assert.equal(config.mqtt.clientId, 'lower');
  });

  void it('"null" clears a nullable setting; JSON text sets arrays; indexes reach into them', () => {
    const cwd = dirs.make({ 'butler.config.yaml': 'sense: { host: h }\n' });
    const config = loadConfig({
      cwd,
      env: {
        BUTLER__sense__host: 'null',
        BUTLER__fileOps__copy: '[{"from":"/a","to":"/b"}]',
        BUTLER__fileOps__copy__0__to: '/c',
        BUTLER__fileOps__delete__0: '/d',
        BUTLER__api__startTaskFilter__allowTask__tag: '["nightly"]',
      },
    });
    assert.equal(config.sense.host, null);
    assert.deepEqual(config.fileOps.copy, [{ from: '/a', to: '/c' }]);
    assert.deepEqual(config.fileOps.delete, ['/d']);
    assert.deepEqual(config.api.startTaskFilter.allowTask.tag, ['nightly']);
  });

  void it('are applied before validation', () => {
    const error = loadError({ cwd: dirs.make(), env: { BUTLER__sense__qrsPort: '70000' } });
    assert.equal(error.pointer, '/sense/qrsPort');
    assert.match(error.message, /must be <= 65535 \(value from app setting BUTLER__sense__qrsPort\)/);
    const cross = loadError({ cwd: dirs.make(), env: { BUTLER__mqtt__enabled: 'true' } });
    assert.equal(cross.pointer, '/mqtt/url');
  });

  void it('an unknown path is an error naming the pointer', () => {
    let error = loadError({ cwd: dirs.make(), env: { BUTLER__sense__hots: 'x' } });
    assert.equal(error.pointer, '/sense/hots');
    assert.match(error.message, /BUTLER__sense__hots/);
    error = loadError({ cwd: dirs.make(), env: { BUTLER__sense__host__name: 'x' } });
    assert.equal(error.pointer, '/sense/host/name');
    error = loadError({ cwd: dirs.make(), env: { BUTLER__sense____host: 'x' } });
    assert.match(error.message, /empty path segment/);
  });

  void it('a value of the wrong type is an error that does not echo it', () => {
    const cases: [string, string, RegExp][] = [
      ['BUTLER__sense__qrsPort', '42x-secret', /must be an integer/],
      ['BUTLER__sense__rejectUnauthorized', 'yes-secret', /must be true or false/],
      ['BUTLER__fileOps__copy', '{not json secret', /must be a JSON array/],
    ];
    for (const [variable, value, expected] of cases) {
      const error = loadError({ cwd: dirs.make(), env: { [variable]: value } });
      assert.match(error.message, expected, variable);
      assert.ok(!error.message.includes('secret'), error.message);
    }
  });

  void it('an index past the end of an array is an error', () => {
    const error = loadError({ cwd: dirs.make(), env: { BUTLER__fileOps__delete__3: '/x' } });
    assert.equal(error.pointer, '/fileOps/delete/3');
  });

  void it('two app settings for one setting are an error', () => {
    const error = loadError({
      cwd: dirs.make(),
      env: { BUTLER__sense__host: 'a', BUTLER__SENSE__HOST: 'b' },
    });
    assert.equal(error.pointer, '/sense/host');
  });

  void it('BUTLER_CONFIG_FILE (one underscore) is not an override', () => {
    const cwd = dirs.make({ 'x.yaml': 'sense: { host: h }' });
    assert.equal(loadConfig({ cwd, env: { BUTLER_CONFIG_FILE: 'x.yaml' } }).sense.host, 'h');
  });
});
