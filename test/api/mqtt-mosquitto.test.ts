/**
 * Interop with a real broker: Debian's mosquitto with a TLS listener and a password file (as operators
 * run it). Skipped, saying why, where mosquitto is not installed (`.ci/run` installs it).
 */
import assert from 'node:assert/strict';
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { connectAsync, type MqttClient } from 'mqtt';
import { readFileSync } from 'node:fs';
import { freePort, subscribe } from '../helpers/mqtt-broker';
import { createTestPki, type TestPki } from '../helpers/pki';
import { startProductHost, type ProductHost } from '../helpers/product-host';

const run = promisify(execFile);
const CREDENTIALS = { username: 'butler', password: 'mosquitto-pw-4b0e' };

function findBinary(name: string): string | undefined {
  return ['/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin']
    .map((dir) => path.join(dir, name))
    .find((file) => existsSync(file));
}

const mosquitto = findBinary('mosquitto');
const mosquittoPasswd = findBinary('mosquitto_passwd');
const skip =
  mosquitto && mosquittoPasswd
    ? false
    : 'mosquitto is not installed here (Debian: apt-get install mosquitto); .ci/run installs it';
if (skip) console.log(`# mqtt-mosquitto: skipped: ${skip}`);

describe('mosquitto with TLS and a password file', { skip }, () => {
  let dir: string;
  let pki: TestPki;
  let broker: ChildProcess;
  let port: number;
  let api: ProductHost | undefined;
  let subscriber: MqttClient | undefined;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'butler-mosquitto-'));
    pki = await createTestPki(path.join(dir, 'pki'));
    const passwords = path.join(dir, 'passwords');
    await run(mosquittoPasswd!, ['-b', '-c', passwords, CREDENTIALS.username, CREDENTIALS.password]);
    port = await freePort();
    const conf = path.join(dir, 'mosquitto.conf');
    await writeFile(
      conf,
      [
        // Started as root, mosquitto switches to this user; it must still read the files in `dir`.
        `user ${os.userInfo().username}`,
        'per_listener_settings false',
        'allow_anonymous false',
        `password_file ${passwords}`,
        'persistence false',
        'log_dest stderr',
        'log_type error',
        'log_type warning',
        'log_type notice',
        'log_type information',
        `listener ${port} 127.0.0.1`,
        `cafile ${pki.caCert}`,
        `certfile ${pki.serverCert}`,
        `keyfile ${pki.serverKey}`,
        '',
      ].join('\n'),
    );
    broker = spawn(mosquitto!, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    let output = '';
    await new Promise<void>((resolve, reject) => {
      broker.stderr!.on('data', (chunk: Buffer) => {
        output += chunk.toString('utf8');
        if (/running/.test(output)) resolve();
      });
      broker.once('exit', (code) => reject(new Error(`mosquitto exited (${code}): ${output}`)));
    });
  });
  after(async () => {
    await subscriber?.endAsync(true);
    await api?.close();
    if (broker && broker.exitCode === null) {
      broker.kill('SIGTERM');
      await new Promise((resolve) => broker.once('exit', resolve));
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function startHost(password: string): Promise<ProductHost> {
    await api?.close();
    api = await startProductHost({
      config: {
        mqtt: {
          enabled: true,
          url: `mqtts://localhost:${port}`,
          ca: pki.caCert,
          username: CREDENTIALS.username,
          password,
        },
      },
    });
    return api;
  }

  test('a message published through the host reaches a mosquitto subscriber', async () => {
    subscriber = await connectAsync(`mqtts://localhost:${port}`, {
      ca: readFileSync(pki.caCert),
      reconnectPeriod: 0,
      ...CREDENTIALS,
    });
    const status = await subscribe(subscriber, 'qliksense/butler/mqtt/status');
    const inbox = await subscribe(subscriber, 'butler/interop');
    const host = await startHost(CREDENTIALS.password);
    assert.match(
      await status.next(),
      new RegExp(`^Connected to MQTT broker localhost:${port} with client ID butler-`),
    );
    const res = await host.call('/v4/mqttpublishmessage', {
      method: 'PUT',
      body: { topic: 'butler/interop', message: 'Grüße från Butler ✓' },
    });
    assert.equal(res.status, 201, res.text);
    assert.equal(await inbox.next(), 'Grüße från Butler ✓');
  });

  test('a wrong password → 503 naming mosquitto refusal', async () => {
    const host = await startHost('not-the-password');
    const res = await host.call('/v4/mqttpublishmessage', {
      method: 'PUT',
      body: { topic: 'butler/interop', message: 'x' },
    });
    assert.equal(res.status, 503, res.text);
    const json = res.json as { code: string; message: string };
    assert.equal(json.code, 'MQTT_UNAVAILABLE');
    assert.match(json.message, /Connection refused: (Not authorized|Bad username or password)/);
    assert.equal(res.text.includes('not-the-password'), false);
  });
});
