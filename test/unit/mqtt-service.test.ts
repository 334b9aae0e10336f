/**
 * The MQTT service on its own, against an in-process broker: a connected broker that never
 * acknowledges a QoS 1 publish ends in 504 UPSTREAM_TIMEOUT (never a hang), topic rules, and the
 * states before start and after close.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { defaultConfig } from '../../shared/config/load';
import { isApiError } from '../../shared/http/errors';
import { silentLogger } from '../../shared/log';
import { MqttService } from '../../shared/mqtt/mqtt-service';
import { publishTopicProblem, topicMatches } from '../../shared/mqtt/topic';
import { startBroker, subscribe, type TestBroker } from '../helpers/mqtt-broker';

function mqttConfig(overrides: Record<string, unknown>) {
  return { ...defaultConfig({ cwd: process.cwd() }).mqtt, ...overrides };
}

async function rejection(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (err) {
    assert.ok(isApiError(err), String(err));
    return { code: err.code, message: err.message };
  }
  assert.fail('expected a rejection');
}

describe('against a broker that never acknowledges QoS 1', () => {
  let broker: TestBroker;
  let service: MqttService;

  before(async () => {
    broker = await startBroker({ holdQos1: 'stuck/#' });
    service = new MqttService(mqttConfig({ enabled: true, url: broker.url, publishTimeoutMs: 300 }), {
      log: silentLogger,
    });
    service.start();
  });
  after(async () => {
    await service?.close();
    await broker?.close();
  });

  test('a QoS 0 publish goes through once connected (the first publish waits for the connection)', async () => {
    const inbox = await subscribe(await broker.client(), 'ok/one');
    await service.publish('ok/one', 'hello');
    assert.equal(await inbox.next(), 'hello');
    assert.equal(service.status().state, 'connected');
  });

  test('an unacknowledged QoS 1 publish → UPSTREAM_TIMEOUT naming mqtt.publishTimeoutMs', async () => {
    const err = await rejection(service.publish('stuck/here', 'x', { qos: 1 }));
    assert.equal(err.code, 'UPSTREAM_TIMEOUT');
    assert.match(err.message, /did not take the message within 300 ms \(mqtt\.publishTimeoutMs\)/);
  });

  test('wildcard and empty topics are refused before anything is sent', async () => {
    for (const topic of ['a/#', '+/b', '']) {
      const err = await rejection(service.publish(topic, 'x'));
      assert.equal(err.code, 'VALIDATION', topic);
      assert.match(err.message, /^topic /);
    }
  });
});

test('disabled → MQTT_DISABLED; closed → MQTT_UNAVAILABLE saying so', async () => {
  const off = new MqttService(mqttConfig({ enabled: false }), { log: silentLogger });
  off.start();
  assert.equal((await rejection(off.publish('a', 'b'))).code, 'MQTT_DISABLED');
  await off.close();

  const closed = new MqttService(mqttConfig({ enabled: true, url: 'mqtt://localhost:1' }), {
    log: silentLogger,
  });
  await closed.close();
  const err = await rejection(closed.publish('a', 'b'));
  assert.equal(err.code, 'MQTT_UNAVAILABLE');
  assert.match(err.message, /closed/);
});

test('topic filters match like a broker: + one level, # the rest, $ topics only when named', () => {
  assert.equal(topicMatches('qliksense/start_task', 'qliksense/start_task'), true);
  assert.equal(topicMatches('qliksense/start_task', 'qliksense/start_task/x'), false);
  assert.equal(topicMatches('qliksense/+', 'qliksense/a'), true);
  assert.equal(topicMatches('qliksense/+', 'qliksense/a/b'), false);
  assert.equal(topicMatches('qliksense/#', 'qliksense/a/b'), true);
  assert.equal(topicMatches('qliksense/#', 'qliksense'), true);
  assert.equal(topicMatches('#', '$SYS/x'), false);
  assert.equal(topicMatches('$SYS/#', '$SYS/x'), true);
  assert.equal(publishTopicProblem('a/b'), null);
  assert.match(publishTopicProblem('x'.repeat(1025)) ?? '', /more than 1024/);
});

test('a URL without a host never stops start-up; publish says what is wrong', async () => {
  const service = new MqttService(mqttConfig({ enabled: true, url: 'mqtt://' }), { log: silentLogger });
  service.start();
  const err = await rejection(service.publish('a', 'b'));
  assert.equal(err.code, 'MQTT_UNAVAILABLE');
  assert.match(err.message, /mqtt\.url is not a valid URL/);
  await service.close();
});
