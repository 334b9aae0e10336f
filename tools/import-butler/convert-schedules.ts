/**
 * Butler's schedule file (`butlerSchedule:` list) → bodies for `POST /v4/schedules`. Numeric months move
 * from Butler's 0-11 to 1-12; schedules Butler accepted but never ran (bad cron, time zone or task id)
 * are reported instead of carried over.
 */
import { isTree, type Tree } from './butler-tree';
import { shiftCronMonths } from './cron-months';
import type { NotCarried } from './convert-config';

export interface ScheduleBody {
  name: string;
  cronSchedule: string;
  timezone: string;
  qlikSenseTaskId: string;
  startupState: 'started' | 'stopped';
  tags: string[];
}

export interface SchedulesImport {
  schedules: ScheduleBody[];
  notCarried: NotCarried[];
  notes: string[];
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const KNOWN = new Set([
  'id',
  'name',
  'cronSchedule',
  'timezone',
  'qlikSenseTaskId',
  'startupState',
  'tags',
  'lastKnownState',
  'created',
]);

function knownZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export function convertButlerSchedules(document: unknown): SchedulesImport {
  if (!isTree(document) || !('butlerSchedule' in document)) {
    throw new Error('not a Butler schedule file: no top-level "butlerSchedule:" list');
  }
  const list = Array.isArray(document.butlerSchedule) ? (document.butlerSchedule as unknown[]) : [];
  const out: SchedulesImport = { schedules: [], notCarried: [], notes: [] };
  let shifted = 0;
  list.forEach((entry, i) => {
    const where = `butlerSchedule[${i}]`;
    const refuse = (reason: string) => out.notCarried.push({ setting: where, reason, count: 1 });
    if (!isTree(entry)) return refuse('not a schedule object');
    const s: Tree = entry;
    const label = typeof s.name === 'string' && s.name ? `${where} "${s.name}"` : where;
    const name = typeof s.name === 'string' ? s.name : '';
    const cron = typeof s.cronSchedule === 'string' ? s.cronSchedule : '';
    const timezone = typeof s.timezone === 'string' ? s.timezone.trim() : '';
    const taskId = typeof s.qlikSenseTaskId === 'string' ? s.qlikSenseTaskId.trim() : '';
    if (!name) return refuse('has no name');
    const converted = shiftCronMonths(cron);
    if (!converted.ok)
      return out.notCarried.push({
        setting: label,
        reason: `cronSchedule '${cron}' ${converted.reason} (Butler never ran it)`,
        count: 1,
      });
    if (!knownZone(timezone)) {
      return out.notCarried.push({
        setting: label,
        reason: `timezone '${timezone}' is not an IANA time zone (Butler ignored it and used the server's local time)`,
        count: 1,
      });
    }
    if (!GUID.test(taskId))
      return out.notCarried.push({ setting: label, reason: 'qlikSenseTaskId is not a task GUID', count: 1 });
    if (converted.changed) shifted++;
    // Butler started every schedule from startupState at each start; that is the state to carry.
    const startupState = s.startupState === 'stop' || s.startupState === 'stopped' ? 'stopped' : 'started';
    const tags = Array.isArray(s.tags) ? s.tags.map((t) => String(t as string)) : [];
    out.schedules.push({
      name,
      cronSchedule: converted.cron,
      timezone,
      qlikSenseTaskId: taskId,
      startupState,
      tags,
    });
    const extra = Object.keys(s).filter((k) => !KNOWN.has(k));
    if (extra.length) out.notes.push(`${label}: extra fields ${extra.join(', ')} are not carried over.`);
  });
  if (shifted) out.notes.push(`${shifted} schedule(s) had numeric months: moved from Butler's 0-11 to 1-12.`);
  out.notes.push('Butler schedule ids are not kept: the scheduler gives each imported schedule a new id.');
  return out;
}
