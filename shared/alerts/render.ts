/**
 * Text pieces every channel shares: the script log fitted to a size limit (head and tail kept, the
 * tail's end always), a plain-text summary, Butler-style flat fields for webhooks and MQTT, and the
 * template context for e-mail.
 */
import type { AlertEvent } from './event';

const OUTCOME_TEXT = { failed: 'failed', aborted: 'aborted', success: 'succeeded' } as const;
const GAP = '\n[…]\n';

export function headline(event: AlertEvent): string {
  return `Qlik Sense reload ${OUTCOME_TEXT[event.outcome]}: ${event.task.name}`;
}

/**
 * Head and tail joined; when longer than `maxChars`, the head keeps at most a third and the tail the
 * rest, cut from its start so the last lines (where errors are) survive. `escape` runs per line
 * before measuring, so escaping never pushes a message over the limit.
 */
export function fitScriptLog(event: AlertEvent, maxChars: number, escape = (s: string) => s): string {
  const log = event.scriptLog;
  if (!log) return event.scriptLogError ? `(script log unavailable: ${event.scriptLogError})` : '';
  const head = log.head.map(escape).join('\n');
  const tail = log.tail.map(escape).join('\n');
  const skipped = log.totalLines > log.head.length + log.tail.length;
  const whole = head && tail ? `${head}${skipped ? GAP : '\n'}${tail}` : head || tail;
  if (whole.length <= maxChars) return whole;
  const room = Math.max(0, maxChars - GAP.length);
  const headRoom = Math.min(head.length, Math.floor(room / 3));
  const tailRoom = room - headRoom;
  return `${head.slice(0, headRoom)}${GAP}${tail.slice(Math.max(0, tail.length - tailRoom))}`;
}

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m ${s % 60}s`;
}

/** Label/value pairs shown by Slack, Teams and the plain text. */
export function facts(event: AlertEvent): [string, string][] {
  const { task, app, execution, status } = event;
  const rows: [string, string][] = [
    ['Task', `${task.name} (${task.id})`],
    ['App', app ? `${app.name} (${app.id})` : '-'],
    ['Status', `${status.text} (${status.num})`],
    ['Node', execution.node || '-'],
    ['Started', execution.startTime],
    ['Stopped', execution.stopTime],
    ['Duration', duration(execution.durationMs)],
    ['Execution result', execution.resultId],
  ];
  if (app?.owner)
    rows.push(['App owner', `${app.owner.name}${app.owner.email ? ` <${app.owner.email}>` : ''}`]);
  if (task.tags.length > 0) rows.push(['Task tags', task.tags.join(', ')]);
  return rows;
}

export function plainText(event: AlertEvent, maxLogChars = 20_000): string {
  const lines = [headline(event), '', ...facts(event).map(([k, v]) => `${k}: ${v}`)];
  const details = event.execution.details.map((d) => `${d.at} ${d.message}`);
  if (details.length > 0) lines.push('', 'Execution details:', ...details);
  const log = fitScriptLog(event, maxLogChars);
  if (log) lines.push('', 'Script log (head and tail):', log);
  return lines.join('\n');
}

/** Butler's webhook/MQTT field names plus this project's additions. */
export function flatFields(event: AlertEvent): Record<string, unknown> {
  const { task, app, execution } = event;
  const lastDetail = execution.details.at(-1);
  return {
    event: `Qlik Sense reload ${event.outcome}`,
    outcome: event.outcome,
    hostName: execution.node,
    user: task.modifiedByUserName ?? '',
    taskName: task.name,
    taskId: task.id,
    appName: app?.name ?? '',
    appId: app?.id ?? '',
    logTimeStamp: execution.stopTime,
    logLevel: event.outcome === 'success' ? 'INFO' : 'ERROR',
    executionId: execution.executionId,
    executionResultId: execution.resultId,
    logMessage: lastDetail?.message ?? '',
    executionStatusNum: event.status.num,
    executionStatusText: event.status.text,
    startTime: execution.startTime,
    stopTime: execution.stopTime,
    durationMs: execution.durationMs,
    appOwnerName: app?.owner?.name ?? '',
    appOwnerUserDirectory: app?.owner?.userDirectory ?? '',
    appOwnerUserId: app?.owner?.userId ?? '',
    appOwnerEmail: app?.owner?.email ?? '',
    qs_taskTags: task.tags,
    qs_taskCustomProperties: task.customProperties,
    scriptLogHead: event.scriptLog?.head ?? [],
    scriptLogTail: event.scriptLog?.tail ?? [],
  };
}

/** Variables for e-mail templates (a subset of Butler's names, so existing templates mostly work). */
export function templateContext(event: AlertEvent): Record<string, unknown> {
  const { task, app, execution } = event;
  const seconds = Math.round(execution.durationMs / 1000);
  return {
    ...flatFields(event),
    headline: headline(event),
    taskType: task.typeName,
    taskTags: task.tags,
    taskCustomProperties: task.customProperties,
    taskIsManuallyTriggered: task.isManuallyTriggered,
    taskIsPartialReload: task.isPartialReload,
    taskMaxRetries: task.maxRetries,
    taskModifiedByUsername: task.modifiedByUserName,
    taskModifiedDate: task.modifiedDate,
    appDescription: app?.description ?? '',
    appStreamName: app?.stream ?? '',
    executingNodeName: execution.node,
    executionDuration: {
      hours: Math.floor(seconds / 3600),
      minutes: Math.floor((seconds % 3600) / 60),
      seconds: seconds % 60,
    },
    executionStartTime: { startTimeUTC: execution.startTime },
    executionStopTime: { stopTimeUTC: execution.stopTime },
    executionDetails: execution.details.map((d) => ({
      timestampUTC: d.at,
      message: d.message,
      detailsType: d.type,
    })),
    executionDetailsConcatenated: execution.details.map((d) => `${d.at}\t${d.message}`).join('\n'),
    scriptLogSize: execution.scriptLogSize,
    scriptLogSizeRows: event.scriptLog?.totalLines ?? 0,
    scriptLogHead: (event.scriptLog?.head ?? []).join('\n'),
    scriptLogTail: (event.scriptLog?.tail ?? []).join('\n'),
    scriptLogHeadCount: event.scriptLog?.head.length ?? 0,
    scriptLogTailCount: event.scriptLog?.tail.length ?? 0,
    scriptLogError: event.scriptLogError ?? '',
  };
}
