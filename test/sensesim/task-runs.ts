/**
 * Finishing a task's execution on demand (docs/sense-facts.md §6 and §11, trimmed to what alert
 * tests need): a result row appears as Started, then turns final (success, failed, error or aborted)
 * with details, duration and a script log, and each step raises the change notification QRS would.
 */
import { randomUUID } from 'node:crypto';
import { NEVER, finishedResult } from './execution';
import type { NotificationHub } from './notifications';
import type { SenseFixtures, SimExecutionResult } from './types';

export type TaskOutcome = 'success' | 'fail' | 'error' | 'abort';

const FINAL_STATUS: Record<TaskOutcome, number> = { success: 7, fail: 8, error: 11, abort: 6 };

export interface FinishTaskOptions {
  outcome: TaskOutcome;
  durationMs?: number;
  /** Script-log text; lines are joined with CRLF when given as an array. */
  scriptLog?: string | string[];
}

export async function finishTask(
  fixtures: SenseFixtures,
  hub: NotificationHub,
  taskId: string,
  opts: FinishTaskOptions,
): Promise<SimExecutionResult> {
  const task = fixtures.tasks.find((t) => t.id.toLowerCase() === taskId.toLowerCase());
  if (!task) throw new Error(`simulator: no task ${taskId}`);
  const durationMs = opts.durationMs ?? 1500;
  const startTime = new Date(Date.now() - durationMs).toISOString();
  const final = finishedResult({ task, status: FINAL_STATUS[opts.outcome], startTime, durationMs });
  if (opts.outcome === 'abort') {
    final.details.splice(1, 0, {
      id: randomUUID(),
      detailsType: 1,
      message: 'Changing task state from Started to Aborting',
      detailCreatedDate: final.stopTime,
    });
  }
  if (opts.scriptLog !== undefined) {
    const text = Array.isArray(opts.scriptLog) ? opts.scriptLog.join('\r\n') + '\r\n' : opts.scriptLog;
    fixtures.scriptLogs = { ...fixtures.scriptLogs, [final.id]: text };
    final.scriptLogSize = Buffer.byteLength(text);
  }

  const running: SimExecutionResult = {
    ...final,
    status: 2,
    stopTime: NEVER,
    duration: 0,
    modifiedDate: startTime,
    details: final.details.slice(0, 1),
    scriptLogSize: 0,
  };
  fixtures.executionResults.push(running);
  await hub.notify('ExecutionResult', { ...running }, 'Add', []);

  const index = fixtures.executionResults.indexOf(running);
  const finished = { ...final, modifiedDate: new Date().toISOString() };
  fixtures.executionResults[index] = finished;
  await hub.notify('ExecutionResult', { ...finished }, 'Update', [
    'modifiedDate',
    'status',
    'stopTime',
    'duration',
  ]);
  return finished;
}
