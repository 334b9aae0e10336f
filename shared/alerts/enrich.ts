/** Turns an execution result plus task, app, owner and script log into an AlertEvent. */
import type { AlertOutcome } from '../config/types';
import { errorMessage } from '../log';
import type { AlertEvent, TaskFacts } from './event';
import { statusNumber, statusText } from './outcome';
import type { AlertQrs, ExecutionResultRow, TaskRow } from './qrs-calls';

const TASK_TYPES = ['Reload', 'ExternalProgram', 'UserSync', 'Distribute', 'Preload'];

export function taskFacts(task: TaskRow): TaskFacts {
  return {
    id: task.id,
    tags: (task.tags ?? []).map((t) => t.name).filter((n): n is string => typeof n === 'string'),
    customProperties: (task.customProperties ?? []).flatMap((cp) =>
      typeof cp.definition?.name === 'string' && typeof cp.value === 'string'
        ? [{ name: cp.definition.name, value: cp.value }]
        : [],
    ),
  };
}

/** Lines split on CRLF (or LF), without the empty line after the final break. */
export function splitLog(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

export async function enrich(
  qrs: AlertQrs,
  result: ExecutionResultRow,
  task: TaskRow,
  outcome: AlertOutcome,
  lines: { head: number; tail: number },
): Promise<AlertEvent> {
  const facts = taskFacts(task);
  const taskType = typeof task.taskType === 'number' ? task.taskType : 0;
  const appId = result.appID || task.app?.id || '';
  const appRow = appId ? await qrs.app(appId) : undefined;
  let ownerEmail: string | null = null;
  if (appRow?.owner?.id) ownerEmail = await qrs.userEmail(appRow.owner.id);

  let scriptLog: AlertEvent['scriptLog'] = null;
  let scriptLogError: string | null = null;
  if (taskType === 0 && (lines.head > 0 || lines.tail > 0)) {
    try {
      const text = await qrs.scriptLog(task.id, result);
      if (text !== undefined) {
        const all = splitLog(text);
        // Head and tail never overlap; a short log is all tail (the end is where errors are).
        const tail = lines.tail > 0 ? all.slice(-lines.tail) : [];
        const head = all.slice(0, Math.min(lines.head, all.length - tail.length));
        scriptLog = { head, tail, totalLines: all.length };
      }
    } catch (err) {
      // The alert still goes out without the log; the reason travels with it.
      scriptLogError = errorMessage(err);
    }
  }
  const num = statusNumber(result.status);
  return {
    outcome,
    status: { num, text: statusText(num) },
    execution: {
      resultId: result.id,
      executionId: result.executionID,
      node: result.executingNodeName ?? '',
      startTime: result.startTime ?? '',
      stopTime: result.stopTime ?? '',
      durationMs: result.duration ?? 0,
      details: (result.details ?? []).map((d) => ({
        at: d.detailCreatedDate ?? '',
        message: d.message ?? '',
        type: d.detailsType ?? 2,
      })),
      scriptLogSize: result.scriptLogSize ?? 0,
    },
    task: {
      id: task.id,
      name: task.name,
      type: taskType,
      typeName: TASK_TYPES[taskType] ?? `Type ${taskType}`,
      tags: facts.tags,
      customProperties: facts.customProperties,
      isManuallyTriggered: task.isManuallyTriggered ?? null,
      isPartialReload: task.isPartialReload ?? null,
      maxRetries: task.maxRetries ?? null,
      modifiedDate: task.modifiedDate ?? null,
      modifiedByUserName: task.modifiedByUserName ?? null,
    },
    app: appRow
      ? {
          id: appRow.id,
          name: appRow.name,
          description: appRow.description ?? null,
          stream: appRow.stream?.name ?? null,
          owner: appRow.owner
            ? {
                name: appRow.owner.name ?? '',
                userDirectory: appRow.owner.userDirectory ?? '',
                userId: appRow.owner.userId ?? '',
                email: ownerEmail,
              }
            : null,
        }
      : appId
        ? { id: appId, name: task.app?.name ?? '', description: null, stream: null, owner: null }
        : null,
    scriptLog,
    scriptLogError,
  };
}
