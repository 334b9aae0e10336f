/**
 * `mqtt.taskStartTopic`: each message names one task (a bare GUID, as Butler's senders publish it).
 * The task is started through the same task-start path as the REST endpoint, so the GUID check and
 * `api.startTaskFilter` apply here too (Butler skipped the filter on this topic). There is nobody to
 * answer, so every outcome is logged.
 */
import { isGuid } from '../guid';
import { errorMessage, type Logger } from '../log';
import type { StartReport } from '../tasks/start-tasks';
import type { MqttService } from './mqtt-service';

/** Messages waiting their turn; beyond this a flood is dropped (and logged) instead of piling up. */
const MAX_PENDING = 100;
/** A task id is 36 characters; anything much longer is not worth parsing or echoing whole. */
const MAX_ID_LENGTH = 100;

export type StartTask = (taskId: string) => Promise<StartReport>;

export function describeOutcome(
  taskId: string,
  report: StartReport,
): { level: 'info' | 'warn' | 'error'; text: string } {
  const started = report.tasksId.started[0];
  if (started) {
    return {
      level: 'info',
      text: `started task '${started.taskName}' (${started.taskId}), execution ${started.executionId ?? 'id not reported'}`,
    };
  }
  const failed = report.tasksFailed[0];
  if (failed) {
    return {
      level: 'error',
      text: `task '${failed.taskName}' (${failed.taskId}) did not start: ${failed.statusCode} ${failed.message}`,
    };
  }
  if (report.tasksId.denied.length > 0) {
    return { level: 'warn', text: `task ${taskId} not started: denied by api.startTaskFilter` };
  }
  if (report.tasksId.invalid.length > 0) {
    return {
      level: 'warn',
      text: isGuid(taskId)
        ? `task ${taskId} not started: no such task in Sense`
        : `ignored ${JSON.stringify(taskId)}: not a task id (GUID)`,
    };
  }
  return { level: 'warn', text: `ignored ${JSON.stringify(taskId)}: nothing to start` };
}

/** Subscribes to `topic`; starts one task at a time, in arrival order. */
export function listenForTaskStarts(mqtt: MqttService, topic: string, start: StartTask, log: Logger): void {
  const pending: string[] = [];
  let running = false;

  const drain = async (): Promise<void> => {
    running = true;
    for (let taskId = pending.shift(); taskId !== undefined; taskId = pending.shift()) {
      try {
        const { level, text } = describeOutcome(taskId, await start(taskId));
        log[level](`mqtt: ${topic}: ${text}`);
      } catch (err) {
        log.error(`mqtt: ${topic}: task ${JSON.stringify(taskId)} not started: ${errorMessage(err)}`);
      }
    }
    running = false;
  };

  mqtt.subscribe(topic, (_topic, payload) => {
    const text = payload.toString('utf8').trim();
    if (text.length === 0 || text.length > MAX_ID_LENGTH) {
      log.warn(`mqtt: ${topic}: ignored a message of ${payload.length} bytes: not a task id`);
      return;
    }
    if (pending.length >= MAX_PENDING) {
      log.error(
        `mqtt: ${topic}: dropped task ${JSON.stringify(text)}: ${MAX_PENDING} starts already waiting`,
      );
      return;
    }
    pending.push(text);
    if (!running) void drain();
  });
}
