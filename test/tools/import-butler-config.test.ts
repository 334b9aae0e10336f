/**
 * `npm run import-butler-config`: a realistic Butler 16 config and schedule file (test/fixtures/butler16,
 * written for this test) become a config that loads, POST /v4/schedules bodies with 1-12 months, a
 * report of every setting left behind, and no secret value anywhere in the output.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { loadConfig } from '../../shared/config/load';
import { run } from '../../tools/import-butler/cli';
import { shiftCronMonths } from '../../tools/import-butler/cron-months';
import { PROJECT_ROOT } from '../helpers/product-host';

const FIXTURES = path.join(PROJECT_ROOT, 'test', 'fixtures', 'butler16');
const BUTLER = path.join(FIXTURES, 'production.yaml');
const SCHEDULE = path.join(FIXTURES, 'schedule.yaml');
/** The fixture's secret values: every string value that contains "secret". */
function fixtureSecrets(): string[] {
  const out: string[] = [];
  const walk = (value: unknown) => {
    if (typeof value === 'string' && value.includes('secret')) out.push(value);
    else if (value && typeof value === 'object') Object.values(value).forEach(walk);
  };
  walk(parse(readFileSync(BUTLER, 'utf8')));
  return out;
}
const SECRETS = fixtureSecrets();

function assertNoSecret(text: string, where: string): void {
  for (const secret of SECRETS) assert.ok(!text.includes(secret), `${where} holds a secret value`);
}

let dir: string;
let report = '';
/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call --
   the written YAML is untyped; the asserts check its shape */
let config: Record<string, any>;
let schedules: Record<string, unknown>[];

function runImport(args: string[]): { code: number; output: string } {
  const lines: string[] = [];
  const code = run(args, (line) => lines.push(line));
  return { code, output: lines.join('\n') };
}

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'butler-import-test-'));
  const result = runImport([BUTLER, SCHEDULE, '--out', dir]);
  report = result.output;
  assert.equal(result.code, 0, report);
  config = parse(await readFile(path.join(dir, 'butler.config.yaml'), 'utf8')) as typeof config;
  schedules = JSON.parse(await readFile(path.join(dir, 'butler.schedules.json'), 'utf8')) as typeof schedules;
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('no secret value is printed or written; each becomes an ${env:} reference named in the report', async () => {
  assert.ok(SECRETS.length >= 9, 'the fixture has its secrets');
  assertNoSecret(report, 'the report');
  for (const file of await readdir(dir)) assertNoSecret(await readFile(path.join(dir, file), 'utf8'), file);
  assert.equal(config.slack.webhookUrl, '${env:SLACK_WEBHOOK_URL}');
  assert.deepEqual(
    config.newRelic.accounts.map((a: { insertApiKey: string }) => a.insertApiKey),
    ['${env:NEW_RELIC_INSERT_KEY_PRODUCTION_NR}', '${env:NEW_RELIC_INSERT_KEY_STAGING_NR}'],
  );
  assert.deepEqual(config.newRelic.headers, [
    { name: 'X-Team-Token', value: '${env:NEW_RELIC_HEADER_X_TEAM_TOKEN}' },
  ]);
  for (const [name, from] of [
    ['SLACK_WEBHOOK_URL', 'Butler.slackNotification.restMessage.webhookURL'],
    ['NEW_RELIC_INSERT_KEY_PRODUCTION_NR', 'Butler.thirdPartyToolsCredentials.newRelic[0].insertApiKey'],
    [
      'NEW_RELIC_HEADER_X_TEAM_TOKEN',
      'Butler.restServerEndpointsConfig.newRelic.postNewRelicEvent.header[0].value',
    ],
  ]) {
    assert.match(
      report,
      new RegExp(`^ {2}${name} +secret: copy the value of ${from!.replace(/[.[\]]/g, '\\$&')}$`, 'm'),
    );
  }
});

test('the written config loads as this project reads it, once the app settings exist', () => {
  const env: NodeJS.ProcessEnv = {
    BUTLER_CONFIG_FILE: path.join(dir, 'butler.config.yaml'),
    SLACK_WEBHOOK_URL: 'https://hooks.slack.example/x',
    NEW_RELIC_INSERT_KEY_PRODUCTION_NR: 'k1',
    NEW_RELIC_INSERT_KEY_STAGING_NR: 'k2',
    NEW_RELIC_HEADER_X_TEAM_TOKEN: 't',
  };
  const loaded = loadConfig({ env });
  assert.equal(loaded.slack.webhookUrl, 'https://hooks.slack.example/x');
  assert.equal(loaded.newRelic.accounts.length, 2);
});

test('Sense connection, endpoints, start-task filter, key-value store', () => {
  assert.deepEqual(config.sense, {
    host: 'sense-central.example.local',
    qrsPort: 4242,
    enginePort: 4747,
    cert: 'C:\\ProgramData\\Butler\\certs\\client.pem',
    key: 'C:\\ProgramData\\Butler\\certs\\client_key.pem',
    ca: 'C:\\ProgramData\\Butler\\certs\\root.pem',
    rejectUnauthorized: false,
    userDirectory: 'INTERNAL',
    userId: 'sa_butler',
  });
  assert.equal(config.api.auth, 'function');
  assert.equal(config.api.endpoints.base62ToBase16, false);
  assert.equal(config.api.endpoints.senseAppDump, false);
  assert.equal(config.api.endpoints.butlerping, true);
  assert.deepEqual(config.api.endpoints.newRelic, { postNewRelicMetric: true, postNewRelicEvent: false });
  assert.equal(config.api.endpoints.scheduler.deleteSchedule, false);
  assert.deepEqual(config.api.startTaskFilter, {
    enable: true,
    allowTask: {
      taskId: ['e3b27f50-b1c0-4879-88fc-c7cdd9c1cf3e', '7552d9fc-d1bb-4975-9a38-18357de531ea'],
      tag: ['startTask1'],
      customProperty: [{ name: 'taskGroup', value: 'tasks1' }],
    },
  });
  assert.deepEqual(config.keyValueStore, { maxKeysPerNamespace: 500 });
  assert.match(report, /^ {2}BUTLER_BIND=10\.20\.30\.40 +from Butler\.restServerConfig\.serverHost$/m);
  assert.match(report, /^ {2}BUTLER_PORT=8080 +from Butler\.restServerConfig\.serverPort$/m);
});

test('file operations: tidied absolute paths, relative ones reported', () => {
  assert.deepEqual(config.fileOps, {
    copy: [
      { from: '/data/qvd', to: '/data/archive' },
      { from: 'D:\\Qlik\\QVD\\Staging', to: '\\\\fileserver\\share\\qvd' },
    ],
    move: [{ from: '/data/inbox', to: '/data/processed' }],
    delete: ['/data/tmp', 'D:\\Qlik\\Temp'],
    qvdRoot: 'D:\\Qlik\\QVD',
  });
  assert.match(
    report,
    /Butler\.fileCopyApprovedDirectories\[2\]\.fromDirectory: 'relative\/dir' is not an absolute path/,
  );
  assert.match(report, /fileOps\.createDir/);
});

test('MQTT, Slack and New Relic settings', () => {
  assert.deepEqual(config.mqtt, {
    enabled: true,
    url: 'mqtt://mqtt.example.local:1883',
    taskStartTopic: 'qliksense/start_task',
  });
  assert.equal(config.newRelic.eventUrl, 'https://insights-collector.eu01.nr-data.net');
  assert.equal(config.newRelic.metricUrl, 'https://insights-collector.eu01.nr-data.net/metric/v1');
  assert.deepEqual(config.newRelic.staticAttributes, [
    { name: 'env', value: 'prod' },
    { name: 'site', value: 'stockholm' },
  ]);
  assert.match(report, /every newRelic account receives every event and metric/);
});

test('every setting left behind is reported with a reason', () => {
  for (const expected of [
    /^ {2}Butler\.influxDb\.\* \(\d+ settings, disabled in Butler\): InfluxDB/m,
    /^ {2}Butler\.udpServerConfig\.\* \(\d+ settings\): no UDP listener/m,
    /^ {2}Butler\.emailNotification\.\* \(\d+ settings\): reload alerts/m,
    /^ {2}Butler\.slackNotification\.reloadTaskFailure\.\* \(\d+ settings\): reload alerts/m,
    /^ {2}Butler\.mqttConfig\.qlikSenseCloud\.\* \(\d+ settings\): Qlik Cloud/m,
    /^ {2}Butler\.mqttConfig\.subscriptionRootTopic: only mqtt\.taskStartTopic/m,
    /^ {2}Butler\.restServerConfig\.backgroundServerPort: no internal listener/m,
    /^ {2}Butler\.heartbeat\.\* \(3 settings\): no outbound heartbeat/m,
    /^ {2}Butler\.configEngine\.engineVersion: not needed/m,
    /^ {2}Butler\.keyValueStore\.enable: no such switch/m,
    /^ {2}Butler\.logLevel: logging/m,
  ]) {
    assert.match(report, expected);
  }
  // Settings that were carried over are not in the list.
  const left = report.slice(report.indexOf('Not carried over'), report.indexOf('Check:'));
  for (const carried of [
    'configQRS.host',
    'restServerEndpointsEnable',
    'startTaskFilter',
    'thirdPartyToolsCredentials.newRelic',
    'cert.clientCert',
  ]) {
    assert.ok(!left.includes(`Butler.${carried}`), carried);
  }
});

test("schedules: POST /v4/schedules bodies, Butler's 0-11 months moved to 1-12, broken ones reported", () => {
  assert.deepEqual(schedules, [
    {
      name: 'Nightly sales extract',
      cronSchedule: '0 30 2 * * *',
      timezone: 'Europe/Stockholm',
      qlikSenseTaskId: '0fe447a9-ba1f-44a9-ac23-68c3a1d88d8b',
      startupState: 'started',
      tags: ['Sales', 'Extract'],
    },
    {
      name: 'Quarter close, January April July October',
      cronSchedule: '0 6 1 */3 *',
      timezone: 'Europe/London',
      qlikSenseTaskId: '7552d9fc-d1bb-4975-9a38-18357de531ea',
      startupState: 'stopped',
      tags: [],
    },
    {
      name: 'Year end, December and January',
      cronSchedule: '0 0 8 1 1,12 *',
      timezone: 'America/New_York',
      qlikSenseTaskId: 'E3B27F50-B1C0-4879-88FC-C7CDD9C1CF3E',
      startupState: 'started',
      tags: [],
    },
    {
      name: 'Summer weekdays',
      cronSchedule: '0-30/5 6-18 * 6-8 MON-FRI',
      timezone: 'Europe/Paris',
      qlikSenseTaskId: 'fb0f317d-da91-4b86-aafa-0174ae1e8c8f',
      startupState: 'started',
      tags: ['weekdays'],
    },
  ]);
  assert.match(
    report,
    /butlerSchedule\[4\] "Broken time zone": timezone 'Nowhere\/Bad' is not an IANA time zone/,
  );
  assert.match(
    report,
    /butlerSchedule\[5\] "Broken month": cronSchedule '0 0 1 12 \*' month 12 is outside Butler's 0-11/,
  );
  assert.match(report, /butlerSchedule\[6\] "Not a task id": qlikSenseTaskId is not a task GUID/);
  assert.match(report, /extra fields owner are not carried over/);
});

test('cron month conversion', () => {
  const cases: [string, string][] = [
    ['0 0 * * *', '0 0 * * *'],
    ['0 0 1 0 *', '0 0 1 1 *'],
    ['0 0 1 11 *', '0 0 1 12 *'],
    ['0 0 1 1-5/2 *', '0 0 1 2-6/2 *'],
    ['0 0 1 JAN,jun *', '0 0 1 JAN,jun *'],
    ['*/30 * * * 0,3,6 *', '*/30 * * * 1,4,7 *'],
  ];
  for (const [butler, here] of cases)
    assert.deepEqual(shiftCronMonths(butler), { ok: true, cron: here, changed: butler !== here });
  for (const bad of ['0 0 1 12 *', '* * *', '0 0 1 1-2-3 *', '0 0 1 x *'])
    assert.equal(shiftCronMonths(bad).ok, false, bad);
});

test('an existing output is never replaced without --force, and stays whole', async () => {
  const before = await readFile(path.join(dir, 'butler.config.yaml'), 'utf8');
  const again = runImport([BUTLER, '--out', dir]);
  assert.equal(again.code, 1);
  assert.match(again.output, /exists: pass --force/);
  assert.equal(await readFile(path.join(dir, 'butler.config.yaml'), 'utf8'), before);
  assert.equal(runImport([BUTLER, '--out', dir, '--force']).code, 0);
});

test('Butler with its REST API off: every endpoint off; bad input and usage answer clearly', async () => {
  const small = path.join(dir, 'small.yaml');
  await writeFile(
    small,
    'Butler:\n  restServerConfig:\n    enable: false\n  restServerEndpointsEnable:\n    butlerping: true\n',
  );
  const out = path.join(dir, 'small-out');
  await (await import('node:fs/promises')).mkdir(out);
  assert.equal(runImport([small, '--out', out]).code, 0);
  const written = parse(await readFile(path.join(out, 'butler.config.yaml'), 'utf8')) as typeof config;
  assert.equal(written.api.endpoints.butlerping, false);
  assert.equal(written.api.endpoints.scheduler.getSchedule, false);

  await writeFile(path.join(dir, 'not-butler.yaml'), 'something: else\n');
  const wrong = runImport([path.join(dir, 'not-butler.yaml'), '--out', out]);
  assert.equal(wrong.code, 1);
  assert.match(wrong.output, /not a Butler config file/);
  assert.equal(runImport([]).code, 2);
  assert.equal(runImport([BUTLER, '--bogus']).code, 2);
});

test('the CLI entry point runs as npm run import-butler-config does', async () => {
  const out = await mkdtemp(path.join(os.tmpdir(), 'butler-import-cli-'));
  try {
    const cli = path.join(PROJECT_ROOT, 'dist', 'tools', 'import-butler', 'cli.js');
    const { stdout } = await promisify(execFile)(process.execPath, [cli, BUTLER, SCHEDULE, '--out', out]);
    assert.match(stdout, /^Wrote .*butler\.config\.yaml$/m);
    assertNoSecret(stdout, 'stdout');
    const pkg = JSON.parse(await readFile(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    assert.match(pkg.scripts['import-butler-config']!, /node dist\/tools\/import-butler\/cli\.js$/);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});
