/** QRS task execution statuses (TaskExecutionStatus) and which of them raise an alert. */
import type { AlertOutcome } from '../config/types';

const STATUS_NAMES = [
  'NeverStarted',
  'Triggered',
  'Started',
  'Queued',
  'AbortInitiated',
  'Aborting',
  'Aborted',
  'FinishedSuccess',
  'FinishedFail',
  'Skipped',
  'Retry',
  'Error',
  'Reset',
  'DistributionQueue',
  'DistributionRunning',
] as const;

/** QRS sends the status as a number; an enum name is accepted too. -1 when unknown. */
export function statusNumber(status: unknown): number {
  if (typeof status === 'number' && Number.isInteger(status)) return status;
  if (typeof status === 'string') {
    const index = STATUS_NAMES.findIndex((name) => name.toLowerCase() === status.toLowerCase());
    if (index >= 0) return index;
    if (/^\d+$/.test(status)) return Number(status);
  }
  return -1;
}

export function statusText(status: number): string {
  return STATUS_NAMES[status] ?? `Unknown (${status})`;
}

/** Final statuses worth an alert: 7 success; 8 FinishedFail and 11 Error failed; 6 aborted. */
export function outcomeOf(status: unknown): AlertOutcome | undefined {
  switch (statusNumber(status)) {
    case 7:
      return 'success';
    case 8:
    case 11:
      return 'failed';
    case 6:
      return 'aborted';
    default:
      return undefined;
  }
}

/** QRS filter matching the final statuses of the given outcomes (enum names work in filters). */
export function statusFilter(outcomes: Iterable<AlertOutcome>): string {
  const names: string[] = [];
  for (const outcome of new Set(outcomes)) {
    if (outcome === 'success') names.push('FinishedSuccess');
    if (outcome === 'failed') names.push('FinishedFail', 'Error');
    if (outcome === 'aborted') names.push('Aborted');
  }
  return names.map((name) => `status eq ${name}`).join(' or ');
}
