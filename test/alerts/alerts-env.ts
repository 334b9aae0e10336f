/**
 * One alert test environment: Sense simulator, the product host with alerts on, real sinks for every
 * channel, a relay for the callback base URL, and a key directory holding the callback function's
 * own key. Console output is captured so tests can check that no secret was logged.
 */
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  startHttpSink,
  startMqttBroker,
  startRelay,
  startSmtpSink,
  type HttpSink,
  type MqttBroker,
  type Relay,
  type SmtpSink,
} from '../helpers/alert-sinks';
import { createTestPki, type TestPki } from '../helpers/pki';
import { startSenseEnv, type SenseEnv } from '../helpers/sense-env';

export const SECRETS = {
  slackPath: '/slack/T0001/B0001/slack-secret-token-7f3a',
  teamsQuery: 'sig=teams-secret-signature-91b2',
  hookToken: 'hook-secret-token-55c1',
  hookHeader: 'hook-header-secret-a8d4',
  smtpPassword: 'smtp-secret-password-3e9f',
  callbackKey: 'callback-function-key-0123456789abcdef0123456789',
};

export interface AlertEnv {
  env: SenseEnv;
  sink: HttpSink;
  smtp: SmtpSink;
  mqtt: MqttBroker;
  relay: Relay;
  /** Everything written to stdout/stderr while the environment ran. */
  output: string[];
  close(): Promise<void>;
}

export interface AlertEnvOptions {
  /** Merged over the alerts section built here. */
  alerts?: (urls: { sink: string }) => Record<string, unknown>;
  email?: Record<string, unknown>;
}

function captureOutput(into: string[]): () => void {
  const streams = [process.stdout, process.stderr] as const;
  const originals = streams.map((s) => s.write.bind(s));
  streams.forEach((stream, i) => {
    stream.write = (chunk: unknown, ...rest: unknown[]) => {
      into.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      return (originals[i] as (...args: unknown[]) => boolean)(chunk, ...rest);
    };
  });
  return () => {
    streams.forEach((stream, i) => {
      stream.write = originals[i] as typeof stream.write;
    });
  };
}

export async function startAlertEnv(opts: AlertEnvOptions = {}): Promise<AlertEnv> {
  const output: string[] = [];
  const restore = captureOutput(output);
  const smtpPki: TestPki = await createTestPki();
  const sink = await startHttpSink();
  const smtp = await startSmtpSink(smtpPki, { user: 'alerts', password: SECRETS.smtpPassword });
  const mqtt = await startMqttBroker();
  const relay = await startRelay();
  const keysDir = await mkdtemp(path.join(os.tmpdir(), 'butler-alert-keys-'));
  await mkdir(keysDir, { recursive: true });
  for (const [file, key] of [
    ['host.master', 'master-key-for-alert-tests-0000000000000000'],
    ['host.function.default', 'default-key-for-alert-tests-000000000000000'],
    ['functions.alertsCallback.qrs', SECRETS.callbackKey],
  ]) {
    await writeFile(path.join(keysDir, file as string), `${key as string}\n`, { mode: 0o600 });
  }
  const alerts = {
    enabled: true,
    callbackBaseUrl: relay.url,
    resubscribeSeconds: 10,
    backstopSeconds: 5,
    outcomes: ['failed', 'aborted', 'success'],
    rateLimitSeconds: 0,
    scriptLogLines: { head: 5, tail: 8 },
    allowedHosts: ['127.0.0.1'],
    retry: { attempts: 3, baseDelayMs: 20, maxDelayMs: 100, timeoutMs: 5000 },
    channels: {
      slack: { webhookUrl: `${sink.url}${SECRETS.slackPath}` },
      teams: { webhookUrl: `${sink.url}/teams/workflow?${SECRETS.teamsQuery}` },
      webhook: [
        {
          name: 'ops',
          url: `${sink.url}/hook?token=${SECRETS.hookToken}`,
          method: 'POST',
          headers: [{ name: 'x-api-key', value: SECRETS.hookHeader }],
        },
        { name: 'flaky', url: `${sink.url}/flaky`, method: 'PUT' },
        { name: 'dead', url: `${sink.url}/dead` },
      ],
      email: {
        smtp: {
          host: '127.0.0.1',
          port: smtp.port,
          secure: false,
          requireTls: true,
          ca: smtpPki.caCert,
          user: 'alerts',
          password: SECRETS.smtpPassword,
        },
        from: 'butler@example.com',
        to: ['ops@example.com'],
        includeAppOwner: true,
        recipientsCustomProperty: 'Butler_FailedTaskAlertEmail',
        ...opts.email,
      },
      mqtt: { topic: 'qliksense/reloadtask' },
    },
    ...opts.alerts?.({ sink: sink.url }),
  };
  let env: SenseEnv;
  try {
    env = await startSenseEnv({
      keysDir,
      settings: { BUTLER_KEYS_DIR: keysDir },
      config: { alerts, mqtt: { enabled: true, url: mqtt.url } },
    });
  } catch (err) {
    restore();
    throw err;
  }
  relay.target = env.api.url;
  return {
    env,
    sink,
    smtp,
    mqtt,
    relay,
    output,
    async close() {
      await env.close();
      await Promise.all([sink.close(), smtp.close(), mqtt.close(), relay.close()]);
      await rm(keysDir, { recursive: true, force: true });
      await rm(smtpPki.dir, { recursive: true, force: true });
      restore();
    },
  };
}
