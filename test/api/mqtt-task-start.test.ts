/**
 * `mqtt.taskStartTopic`: a message naming a task id starts it on the Sense simulator through the same
 * task-start path as the REST endpoint, so the GUID check and `api.startTaskFilter` apply. Messages
 * are handled one at a time in arrival order, so once the last one's outcome is logged, every earlier
 * one has been decided too.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import type { MqttClient } from 'mqtt';
import { getServices } from '../../shared/bootstrap';
import type { MqttService } from '../../shared/mqtt/mqtt-service';
import { captureConsole, type ConsoleCapture } from '../helpers/console-capture';
import { startBroker, type TestBroker } from '../helpers/mqtt-broker';
import { createTestPki, type TestPki } from '../helpers/pki';
import { assertSenseIdentity, startSenseEnv, type SenseEnv } from '../helpers/sense-env';
import { FIXTURE } from '../sensesim/fixtures';

const TOPIC = 'qliksense/start_task';
const CREDENTIALS = { username: 'butler', password: 'task-start-pw-81d2' };
let env: SenseEnv;
let brokerPki: TestPki;
let broker: TestBroker;
let publisher: MqttClient;
let processLog: ConsoleCapture;

before(async () => {
  brokerPki = await createTestPki();
  broker = await startBroker({ pki: brokerPki, credentials: CREDENTIALS });
  processLog = captureConsole();
  env = await startSenseEnv({
    config: {
      api: {
        startTaskFilter: {
          enable: true,
          allowTask: { taskId: [FIXTURE.taskReloadSales, FIXTURE.taskUnknown, FIXTURE.taskDisabled] },
        },
      },
      mqtt: { enabled: true, url: broker.url, ca: brokerPki.caCert, ...CREDENTIALS, taskStartTopic: TOPIC },
    },
  });
  const hostId = (getServices().mqtt as MqttService).clientId;
  await broker.whenSubscribed(hostId, TOPIC);
  publisher = await broker.client();
});
after(async () => {
  processLog?.restore();
  await env?.close();
  await broker?.close();
  if (brokerPki) await rm(brokerPki.dir, { recursive: true, force: true });
});

function startCalls(): string[] {
  return env.sim.qrsCalls
    .filter((c) => c.method === 'POST' && /\/start(\/synchronous)?$/.test(c.path))
    .map((c) => c.path);
}

function logged(pattern: RegExp): boolean {
  return processLog.lines.some((line) => pattern.test(line));
}

test('an allowed task id starts that task; denied, malformed and unknown ids start nothing; a refused start is logged', async () => {
  env.sim.resetJournal();
  await publisher.publishAsync(TOPIC, FIXTURE.taskReloadFinance); // not in the filter
  await publisher.publishAsync(TOPIC, 'not-a-task-id');
  await publisher.publishAsync(TOPIC, FIXTURE.taskUnknown); // allowed, but Sense has no such task
  await publisher.publishAsync(TOPIC, FIXTURE.taskDisabled); // allowed, but QRS does not start it
  await publisher.publishAsync(TOPIC, ` ${FIXTURE.taskReloadSales.toUpperCase()}\n`);
  await processLog.whenLogged(/qliksense\/start_task: started task/);

  assert.deepEqual(startCalls(), [
    `/qrs/task/${FIXTURE.taskDisabled}/start/synchronous`,
    `/qrs/task/${FIXTURE.taskReloadSales}/start/synchronous`,
  ]);
  assert.ok(
    logged(new RegExp(`task ${FIXTURE.taskReloadFinance} not started: denied by api.startTaskFilter`)),
  );
  assert.ok(logged(/ignored "not-a-task-id": not a task id \(GUID\)/));
  assert.ok(logged(new RegExp(`task ${FIXTURE.taskUnknown} not started: no such task in Sense`)));
  assert.ok(
    logged(
      new RegExp(
        `task '[^']+' \\(${FIXTURE.taskDisabled}\\) did not start: 200 QRS answered with an empty execution id`,
      ),
    ),
  );
  assert.ok(
    logged(new RegExp(`started task '[^']+' \\(${FIXTURE.taskReloadSales}\\), execution [0-9a-f-]{36}`)),
  );
  // The denied id was never even looked up.
  const filters = env.sim.qrsCalls.map((c) => c.filter ?? '').join(' | ');
  assert.equal(filters.includes(FIXTURE.taskReloadFinance), false, filters);
  assertSenseIdentity(env.sim);
});

test('the task-start topic is the only subscription (not the whole qliksense/# tree)', () => {
  const hostId = (getServices().mqtt as MqttService).clientId;
  assert.deepEqual(
    broker.subscribed.filter((s) => s.clientId === hostId).map((s) => s.topic),
    [TOPIC],
  );
});
