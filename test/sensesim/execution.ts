/** Execution results as QRS stores them (docs/sense-facts.md §5): full rows plus the condensed task view. */
import { randomUUID } from 'node:crypto';
import type { SimExecutionResult, SimTask } from './types';

export const NEVER = '1753-01-01T00:00:00.000Z';
export const EMPTY_GUID = '00000000-0000-0000-0000-000000000000';
export const NODE_ID = '5e0f4e8f-9a3c-4c43-8c2e-2b1f4d7a9c01';
export const NODE_NAME = 'SENSE-NODE1';

const STATUS_NAMES: Record<number, string> = {
  0: 'NeverStarted',
  1: 'Triggered',
  2: 'Started',
  3: 'Queued',
  4: 'AbortInitiated',
  5: 'Aborting',
  6: 'Aborted',
  7: 'FinishedSuccess',
  8: 'FinishedFail',
  9: 'Skipped',
  10: 'Retry',
  11: 'Error',
  12: 'Reset',
  13: 'DistributionQueue',
  14: 'DistributionRunning',
};

/** Qlik's script-log timestamp style: 20240115T103000.000+0000. */
function logStamp(iso: string): string {
  return iso.replace(/[-:]/g, '').replace('Z', '+0000');
}

export interface FinishedResultInput {
  task: SimTask;
  id?: string;
  executionId?: string;
  status: number;
  startTime: string;
  durationMs: number;
}

/** A finished execution with the usual state-change details and a script log. */
export function finishedResult(input: FinishedResultInput): SimExecutionResult {
  const { task, status, startTime, durationMs } = input;
  const stopTime = new Date(Date.parse(startTime) + durationMs).toISOString();
  const id = input.id ?? randomUUID();
  const finalName = STATUS_NAMES[status] ?? 'Error';
  const detail = (message: string, at: string, detailsType = 2) => ({
    id: randomUUID(),
    detailsType,
    message,
    detailCreatedDate: at,
  });
  const hasLog = task.taskType === 0;
  return {
    id,
    createdDate: startTime,
    modifiedDate: stopTime,
    modifiedByUserName: 'INTERNAL\\sa_scheduler',
    schemaPath: 'ExecutionResult',
    privileges: null,
    taskID: task.id,
    executionID: input.executionId ?? randomUUID(),
    appID: task.app.id,
    executingNodeID: NODE_ID,
    executingNodeName: NODE_NAME,
    status,
    startTime,
    stopTime,
    duration: durationMs,
    fileReferenceID: hasLog ? randomUUID() : EMPTY_GUID,
    scriptLogAvailable: hasLog,
    details: [
      detail('Changing task state from Triggered to Started', startTime),
      detail(`Changing task state from Started to ${finalName}`, stopTime, status === 7 ? 2 : 0),
    ],
    scriptLogLocation: hasLog
      ? `${NODE_NAME}\\Script\\${task.app.id}.${logStamp(startTime)}.${id.slice(0, 8)}.log`
      : '',
    scriptLogSize: hasLog ? 2048 : 0,
  };
}

/** The copy inside `operational.lastExecutionResult`: no taskID/executionID/appID. */
export function condensedResult(result: SimExecutionResult): Record<string, unknown> {
  const { taskID: _t, executionID: _e, appID: _a, createdDate: _c, modifiedByUserName: _m, ...rest } = result;
  return rest;
}

/** Placeholder for a task that never ran. */
export function neverStartedResult(): Record<string, unknown> {
  return {
    id: EMPTY_GUID,
    executingNodeName: '',
    status: 0,
    startTime: NEVER,
    stopTime: NEVER,
    duration: 0,
    fileReferenceID: EMPTY_GUID,
    scriptLogAvailable: false,
    details: [],
    scriptLogSize: 0,
    privileges: null,
  };
}
