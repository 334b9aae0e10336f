import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../shared/config/load';
import { TempConfigDirs, loadError } from './temp-config-dir';

const dirs = new TempConfigDirs();
after(() => dirs.removeAll());

const YAML_CONFIG = `
sense:
  host: qlik.example.com
  qrsPort: 4243
  cert: certs/client.pem
  key: /abs/certs/client_key.pem
api:
  auth: anonymous
  startTaskFilter:
    enable: true
    allowTask:
      taskId: [e3b27f50-b1c0-4879-88fc-c7cdd9c1cf3e]
      customProperty: [{ name: env, value: prod }]
newRelic:
  accounts: [{ name: main, insertApiKey: k, accountId: 1234567 }]
`;

void describe('choosing the config file', () => {
  void it('reads ./butler.config.yaml from cwd', () => {
    const cwd = dirs.make({ 'butler.config.yaml': YAML_CONFIG });
    const config = loadConfig({ env: {}, cwd });
    assert.equal(config.source, path.join(cwd, 'butler.config.yaml'));
    assert.equal(config.sense.host, 'qlik.example.com');
    assert.equal(config.sense.qrsPort, 4243);
    assert.equal(config.sense.enginePort, 4747, 'unset settings keep defaults');
    assert.equal(config.api.auth, 'anonymous');
    assert.deepEqual(config.api.startTaskFilter.allowTask, {
      taskId: ['e3b27f50-b1c0-4879-88fc-c7cdd9c1cf3e'],
      tag: [],
      customProperty: [{ name: 'env', value: 'prod' }],
    });
    assert.deepEqual(config.newRelic.accounts, [{ name: 'main', insertApiKey: 'k', accountId: '1234567' }]);
  });

  void it('reads ./butler.config.yml and ./butler.config.json too', () => {
    const yml = dirs.make({ 'butler.config.yml': 'sense: { host: yml-host }' });
    assert.equal(loadConfig({ env: {}, cwd: yml }).sense.host, 'yml-host');
    const json = dirs.make({ 'butler.config.json': '{ "sense": { "host": "json-host" } }' });
    assert.equal(loadConfig({ env: {}, cwd: json }).sense.host, 'json-host');
  });

  void it('refuses to guess between two default files', () => {
    const cwd = dirs.make({ 'butler.config.yaml': '{}', 'butler.config.json': '{}' });
    const error = loadError({ env: {}, cwd });
    assert.ok(error instanceof ConfigError);
    assert.equal(error.pointer, '');
    assert.match(error.message, /butler\.config\.yaml/);
    assert.match(error.message, /BUTLER_CONFIG_FILE/);
  });

  void it('BUTLER_CONFIG_FILE wins and resolves against cwd', () => {
    const cwd = dirs.make({
      'butler.config.yaml': 'sense: { host: default }',
      'conf/prod.json': '{"sense":{"host":"named"}}',
    });
    const config = loadConfig({ env: { BUTLER_CONFIG_FILE: 'conf/prod.json' }, cwd });
    assert.equal(config.sense.host, 'named');
    assert.equal(config.source, path.join(cwd, 'conf', 'prod.json'));
  });

  void it('a named file that does not exist is an error naming the path', () => {
    const cwd = dirs.make();
    const error = loadError({ env: { BUTLER_CONFIG_FILE: 'missing.yaml' }, cwd });
    assert.equal(error.pointer, '');
    assert.ok(error.message.includes(path.join(cwd, 'missing.yaml')), error.message);
    assert.match(error.message, /does not exist/);
  });

  void it('rejects an unknown extension and a directory', () => {
    const cwd = dirs.make({ 'butler.config.toml': 'x = 1', 'dir.yaml/keep': '' });
    assert.match(
      loadError({ env: { BUTLER_CONFIG_FILE: 'butler.config.toml' }, cwd }).message,
      /unsupported extension/,
    );
    assert.match(loadError({ env: { BUTLER_CONFIG_FILE: 'dir.yaml' }, cwd }).message, /is a directory/);
  });

  void it('an empty YAML file means all defaults', () => {
    const cwd = dirs.make({ 'butler.config.yaml': '# nothing yet\n' });
    const config = loadConfig({ env: {}, cwd });
    assert.equal(config.source, path.join(cwd, 'butler.config.yaml'));
    assert.equal(config.sense.qrsPort, 4242);
  });

  void it('a section whose children are all commented out takes its defaults', () => {
    const cwd = dirs.make({
      'butler.config.yaml': 'sense:\n  # host: qlik\nfileOps:\n  delete:\n  copy: [{ from: /a, to: /b }]\n',
    });
    const config = loadConfig({ env: { BUTLER__fileOps__delete__0: '/d' }, cwd });
    assert.equal(config.sense.qrsPort, 4242);
    assert.deepEqual(config.fileOps.delete, ['/d']);
    assert.deepEqual(config.fileOps.copy, [{ from: '/a', to: '/b' }]);
    const nullScalar = loadError({
      env: {},
      cwd: dirs.make({ 'butler.config.yaml': 'sense:\n  qrsPort:\n' }),
    });
    assert.equal(nullScalar.pointer, '/sense/qrsPort');
  });

  void it('accepts a "$schema" editor hint and drops it', () => {
    const cwd = dirs.make({ 'butler.config.json': '{ "$schema": "./butler.config.schema.json" }' });
    assert.equal('$schema' in loadConfig({ env: {}, cwd }), false);
  });
});

void describe('syntax errors', () => {
  void it('YAML: line and column, without quoting the line', () => {
    const cwd = dirs.make({ 'butler.config.yaml': 'sense:\n  host: a\n  password: "s3cret-in-line\n' });
    const error = loadError({ env: {}, cwd });
    assert.equal(error.pointer, '');
    assert.match(error.message, /YAML syntax error at line \d+, column \d+/);
    assert.ok(error.message.includes(path.join(cwd, 'butler.config.yaml')));
    assert.ok(!error.message.includes('s3cret'), error.message);
  });

  void it('YAML: duplicate keys are rejected', () => {
    const cwd = dirs.make({ 'butler.config.yaml': 'sense:\n  host: a\n  host: b\n' });
    assert.match(loadError({ env: {}, cwd }).message, /at line 3, column 3: Map keys must be unique/);
  });

  void it('JSON: line and column, without quoting the text', () => {
    const cwd = dirs.make({ 'butler.config.json': '{\n  "mqtt": {\n    "password": "s3cret" "x"\n  }\n}' });
    const error = loadError({ env: {}, cwd });
    assert.match(error.message, /JSON syntax error at line 3, column 26/);
    assert.ok(!error.message.includes('s3cret'), error.message);
    const bare = dirs.make({ 'butler.config.json': '{"mqtt": {"password": s3cret}}' });
    const bareError = loadError({ env: {}, cwd: bare });
    assert.match(bareError.message, /line 1, column 23: expected a JSON value/);
    assert.ok(!bareError.message.includes('s3cret'), bareError.message);
  });

  void it('JSON: duplicate keys, trailing commas and comments are rejected', () => {
    const cases: [string, RegExp][] = [
      ['{"sense": {"host": "a", "host": "b"}}', /line 1, column 25: duplicate key/],
      ['{"sense": {"host": "a",}}', /line 1, column 24: trailing comma before '}'/],
      ['// c\n{}', /line 1, column 1: expected a JSON value/],
      ['{"a": tru}', /line 1, column 7/],
      ['', /unexpected end of file/],
      ['{"a": [1,\n  2,\n]}', /line 3, column 1: trailing comma before ']'/],
      ['{"a": 1} # c', /line 1, column 10: comments are not allowed in JSON/],
      ["{'a': 1}", /line 1, column 2: JSON strings need double quotes/],
      ['{"a": &x 1, "b": *x}', /line 1, column 7: anchors are not JSON/],
      ['[1]', /top level must be a JSON object/],
    ];
    for (const [text, expected] of cases) {
      const cwd = dirs.make({ 'butler.config.json': text });
      assert.match(loadError({ env: {}, cwd }).message, expected, text);
    }
  });

  void it('the top level must be a mapping', () => {
    const cwd = dirs.make({ 'butler.config.yaml': '- a\n- b\n' });
    const error = loadError({ env: {}, cwd });
    assert.equal(error.pointer, '');
    assert.match(error.message, /top level must be a mapping/);
  });
});

void describe('validation', () => {
  void it('an unknown key is named by its own pointer', () => {
    const cwd = dirs.make({ 'butler.config.yaml': 'sense:\n  hots: qlik.example.com\n' });
    const error = loadError({ env: {}, cwd });
    assert.equal(error.pointer, '/sense/hots');
    assert.equal(error.file, path.join(cwd, 'butler.config.yaml'));
    assert.equal(
      error.message,
      `Invalid config /sense/hots: unknown setting (config file ${path.join(cwd, 'butler.config.yaml')})`,
    );
  });

  void it('an unknown top-level key and one inside an array item', () => {
    let cwd = dirs.make({ 'butler.config.yaml': 'butler: {}\n' });
    assert.equal(loadError({ env: {}, cwd }).pointer, '/butler');
    cwd = dirs.make({
      'butler.config.yaml': 'fileOps:\n  copy: [{ from: /a, to: /b, fromDirectory: /c }]\n',
    });
    assert.equal(loadError({ env: {}, cwd }).pointer, '/fileOps/copy/0/fromDirectory');
  });

  void it('a wrong type names the pointer and the expected type', () => {
    const cwd = dirs.make({ 'butler.config.yaml': 'sense:\n  qrsPort: "4242"\n' });
    const error = loadError({ env: {}, cwd });
    assert.equal(error.pointer, '/sense/qrsPort');
    assert.match(error.message, /^Invalid config \/sense\/qrsPort: must be integer \(config file /);
  });

  void it('ranges, enums and required fields', () => {
    const cases: [string, string, RegExp][] = [
      ['sense: { enginePort: 70000 }', '/sense/enginePort', /must be <= 65535/],
      ['sense: { qrsPort: 0 }', '/sense/qrsPort', /must be >= 1/],
      ['sense: { timeoutMs: 999 }', '/sense/timeoutMs', /must be >= 1000/],
      ['keyValueStore: { maxKeysPerNamespace: 0 }', '/keyValueStore/maxKeysPerNamespace', /must be >= 1/],
      ['api: { auth: none }', '/api/auth', /must be one of: function, anonymous/],
      ['state: { backend: redis }', '/state/backend', /must be one of: file, memory, table/],
      ['fileOps: { copy: [{ from: /a }] }', '/fileOps/copy/0/to', /is required/],
      ['sense: { host: null, cert: 5 }', '/sense/cert', /must be string or null/],
      [
        'api: { endpoints: { newRelic: { postNewRelicEvent: "no" } } }',
        '/api/endpoints/newRelic/postNewRelicEvent',
        /must be boolean/,
      ],
    ];
    for (const [yaml, pointer, reason] of cases) {
      const error = loadError({ env: {}, cwd: dirs.make({ 'butler.config.yaml': yaml }) });
      assert.equal(error.pointer, pointer, yaml);
      assert.match(error.message, reason, yaml);
    }
  });

  void it('a secret with a wrong value is reported without its value', () => {
    const cwd = dirs.make({
      'butler.config.yaml': [
        'slack: { webhookUrl: "ftp://hooks.example/T000-s3cret-hook" }',
        'newRelic: { accounts: [{ name: a, insertApiKey: "NRAK-s3cret", accountId: "x1" }] }',
      ].join('\n'),
    });
    const error = loadError({ env: {}, cwd });
    assert.equal(error.pointer, '/slack/webhookUrl');
    assert.ok(!error.message.includes('s3cret'), error.message);
  });
});

void describe('features and their settings', () => {
  void it('a disabled feature needs none of its settings', () => {
    const cwd = dirs.make({
      'butler.config.yaml': 'mqtt: { enabled: false, cert: c.pem }\nstate: { backend: file }\n',
    });
    assert.equal(loadConfig({ env: {}, cwd }).mqtt.url, null);
  });

  void it('enabled MQTT requires a url, and cert with key', () => {
    let error = loadError({ env: {}, cwd: dirs.make({ 'butler.config.yaml': 'mqtt: { enabled: true }' }) });
    assert.equal(error.pointer, '/mqtt/url');
    assert.match(error.message, /is required when \/mqtt\/enabled is true/);
    error = loadError({
      env: {},
      cwd: dirs.make({ 'butler.config.yaml': 'mqtt: { enabled: true, url: "mqtt://b:1883", cert: c.pem }' }),
    });
    assert.equal(error.pointer, '/mqtt/key');
  });

  void it('the table backend requires a connection string', () => {
    const error = loadError({
      env: {},
      cwd: dirs.make({ 'butler.config.yaml': 'state: { backend: table }' }),
    });
    assert.equal(error.pointer, '/state/table/connectionString');
  });

  void it('Sense settings are not required', () => {
    const config = loadConfig({ env: {}, cwd: dirs.make({ 'butler.config.yaml': 'sense: { host: qlik }' }) });
    assert.equal(config.sense.cert, null);
  });

  void it('New Relic account names are unique', () => {
    const yaml =
      'newRelic: { accounts: [{ name: a, insertApiKey: k, accountId: "1" }, { name: a, insertApiKey: k, accountId: "2" }] }';
    assert.equal(
      loadError({ env: {}, cwd: dirs.make({ 'butler.config.yaml': yaml }) }).pointer,
      '/newRelic/accounts/1/name',
    );
  });
});

void describe('relative paths', () => {
  void it('resolve against the config file directory; absolute ones stay as written', () => {
    const cwd = dirs.make({
      'conf/butler.config.yaml': [
        'sense: { cert: certs/client.pem, key: /etc/butler/key.pem, ca: ../root.pem }',
        'mqtt: { ca: mqtt/ca.pem }',
        'state: { dir: state }',
        'fileOps:',
        '  copy: [{ from: in, to: "C:\\\\qvd\\\\out" }]',
        '  move: [{ from: ./a, to: b }]',
        '  delete: [del]',
        '  createDir: ["\\\\\\\\server\\\\share\\\\x"]',
        '  qvdRoot: qvd',
      ].join('\n'),
    });
    const conf = path.join(cwd, 'conf');
    const config = loadConfig({ env: { BUTLER_CONFIG_FILE: 'conf/butler.config.yaml' }, cwd });
    assert.equal(config.sense.cert, path.join(conf, 'certs', 'client.pem'));
    assert.equal(config.sense.key, '/etc/butler/key.pem');
    assert.equal(config.sense.ca, path.join(cwd, 'root.pem'));
    assert.equal(config.mqtt.ca, path.join(conf, 'mqtt', 'ca.pem'));
    assert.equal(config.mqtt.cert, null);
    assert.equal(config.state.dir, path.join(conf, 'state'));
    assert.deepEqual(config.fileOps.copy, [{ from: path.join(conf, 'in'), to: 'C:\\qvd\\out' }]);
    assert.deepEqual(config.fileOps.move, [{ from: path.join(conf, 'a'), to: path.join(conf, 'b') }]);
    assert.deepEqual(config.fileOps.delete, [path.join(conf, 'del')]);
    assert.deepEqual(config.fileOps.createDir, ['\\\\server\\share\\x']);
    assert.equal(config.fileOps.qvdRoot, path.join(conf, 'qvd'));
  });

  void it('resolve against cwd without a file, overrides included', () => {
    const cwd = dirs.make();
    const config = loadConfig({ env: { BUTLER__sense__cert: 'c.pem' }, cwd });
    assert.equal(config.sense.cert, path.join(cwd, 'c.pem'));
    assert.equal(config.state.dir, path.join(cwd, 'data'));
  });
});
