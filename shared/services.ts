/**
 * The composition root: every long-lived client is built here once per host start from the validated
 * config, and closed in `appTerminate`. Handlers receive it; tests build it from a test config.
 */
import type { ButlerConfig } from './config/types';
import { consoleLogger, prefixedLogger, type Logger } from './log';
import { SenseClient } from './sense/client';
import { KeyValueService } from './kv/key-value-service';
import { KV_TABLE, type KvRecord } from './kv/records';
import { createStateStore } from './state/create-store';
import type { StateStore } from './state/store';
import { ReloadTracker } from './apps/reload-tracker';
import { getTelemetry, type Telemetry } from './telemetry/index';
import { FileOperations } from './fileops/file-operations';
import { createScheduler, type Scheduler } from './scheduler';
import { senseTaskStarter } from './scheduler/start-task';
import { buildAlerts } from './alerts/build';
import type { AlertService } from './alerts/service';
import { MqttService, type MqttPublisher } from './mqtt/mqtt-service';
import { listenForTaskStarts } from './mqtt/task-start-topic';
import { NewRelicClient } from './newrelic/new-relic';
import { SlackClient } from './slack/slack';
import { isEndpointEnabled } from './http/enabled';
import { startFilter } from './tasks/start-filter';
import { TaskNameCache } from './tasks/task-name-cache';
import { createTaskService, type TaskService } from './tasks/task-service';
import { createAppService, type AppService } from './apps/app-service';

export interface Services {
  readonly config: ButlerConfig;
  readonly log: Logger;
  /** The state layer (`state.backend`): key-values, schedules, alert bookkeeping. */
  readonly state: StateStore;
  readonly kv: KeyValueService;
  /** Task start: the one path for the REST endpoint, app-reload follow-ups, schedules and MQTT. */
  readonly tasks: TaskService;
  /** App list, dump and reload (with follow-up tasks) over the Engine. */
  readonly apps: AppService;
  /** Copy, move, delete and directory creation inside the `fileOps` approved directories. */
  readonly fileOps: FileOperations;
  /** Schedules (API) and their firing (timer). */
  readonly scheduler: Scheduler;
  /** Reload-task alerts; undefined when `alerts.enabled` is false. */
  readonly alerts: AlertService | undefined;
  /** The Sense client; throws NOT_CONFIGURED (503) naming the missing settings when Sense is not set up. */
  sense(): SenseClient;
  /** The process's MQTT connection (connects in the background; publish answers 503 while it is away). */
  readonly mqtt: MqttPublisher;
  readonly slack: SlackClient;
  readonly newRelic: NewRelicClient;
  close(): Promise<void>;
}

export function buildServices(
  config: ButlerConfig,
  log: Logger = consoleLogger,
  telemetry: Telemetry = getTelemetry(process.env, log),
): Services {
  // Throws on state it cannot trust (an unreadable state file, a directory another host owns), which
  // stops the host from starting.
  const state = createStateStore(config.state, log);
  try {
    return servicesOn(state, config, log, telemetry);
  } catch (err) {
    // Nothing else holds the store yet: give its directory back, so a later attempt can claim it.
    state.close().catch(() => undefined);
    throw err;
  }
}

function servicesOn(state: StateStore, config: ButlerConfig, log: Logger, telemetry: Telemetry): Services {
  const senseClient = new SenseClient(config.sense, {
    log: prefixedLogger(log, 'sense: '),
    telemetry,
  });
  const kv = new KeyValueService(state.table<KvRecord>(KV_TABLE), config.keyValueStore, Date.now, log);
  const reloads = new ReloadTracker();
  const sense = (): SenseClient => {
    senseClient.assertConfigured();
    return senseClient;
  };
  // One task-start path for REST, app-reload follow-ups, schedules and the MQTT topic; the filter is
  // compiled here, once per host start.
  const tasks = createTaskService({
    qrs: () => sense().qrs,
    kv,
    filter: startFilter(config.api.startTaskFilter),
    kvEnabled: isEndpointEnabled(config.api.endpoints, 'keyValueStore'),
    // Tasks seen in recent lookups, shared by every start of this host.
    names: new TaskNameCache(),
  });
  const apps = createAppService({ sense, tasks, tracker: reloads, waitMs: config.sense.reloadWaitMs });
  const scheduler = createScheduler(state, { log, startTask: senseTaskStarter(tasks) });
  const mqtt = new MqttService(config.mqtt, { log });
  const slack = new SlackClient(config.slack);
  const newRelic = new NewRelicClient(config.newRelic);
  const alerts = buildAlerts(config, log, { qrs: () => senseClient.qrs, state, mqtt });
  const services: Services = {
    config,
    log,
    state,
    kv,
    tasks,
    apps,
    fileOps: new FileOperations(config.fileOps),
    scheduler,
    sense,
    alerts: alerts?.service,
    mqtt,
    slack,
    newRelic,
    async close() {
      // Alerts first: their in-flight deliveries still use Sense, MQTT and the state store.
      await alerts?.close();
      // MQTT next, so no new task start arrives while the rest shuts down.
      await mqtt.close();
      await Promise.all([slack.close(), newRelic.close()]);
      // Closing the client first fails any reload still waiting on the Engine, so shutdown is bounded;
      // the tracker then records those reloads as failed.
      await senseClient.close();
      await reloads.settle();
      await kv.close();
      await state.close();
      await telemetry.flush();
    },
  };
  if (mqtt.enabled && config.mqtt.taskStartTopic !== null) {
    listenForTaskStarts(
      mqtt,
      config.mqtt.taskStartTopic,
      (taskId) => tasks.start({ pathTaskId: taskId, items: [], allTaskIdsMustExist: false }),
      log,
    );
  }
  mqtt.start();
  return services;
}
