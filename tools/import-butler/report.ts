/** The import report: what was written, which app settings to set, what was not carried over. */
import path from 'node:path';
import type { ConfigImport } from './convert-config';
import type { SchedulesImport } from './convert-schedules';

export interface ReportInput {
  args: { butlerFile: string; scheduleFile: string | null };
  configOut: string;
  schedulesOut: string | null;
  imported: ConfigImport;
  schedules: SchedulesImport | null;
}

export function formatReport({ args, configOut, schedulesOut, imported, schedules }: ReportInput): string {
  const lines: string[] = [`Butler config: ${args.butlerFile}`, `Wrote ${configOut}`];
  if (schedulesOut && schedules) {
    lines.push(
      `Wrote ${schedulesOut}: ${schedules.schedules.length} schedule(s) from ${args.scheduleFile}, as POST /v4/schedules bodies (docs/migration.md)`,
    );
  } else if (imported.scheduler.file) {
    lines.push(
      `Schedules not imported: pass Butler's schedule file (Butler.scheduler.configfile: ${imported.scheduler.file}) as the second argument.`,
    );
  }
  if (schedules && !imported.scheduler.enabled) {
    lines.push(
      'Note: Butler.scheduler.enable was false, so Butler ran none of these schedules; create them stopped if that should stay so.',
    );
  }

  lines.push(
    '',
    'App settings to set (local.settings.json "Values", the environment, or a Kubernetes Secret):',
  );
  if (imported.appSettings.length === 0) lines.push('  (none)');
  const width = Math.max(
    0,
    ...imported.appSettings.map((s) => s.name.length + (s.value ? s.value.length + 1 : 0)),
  );
  for (const s of imported.appSettings) {
    const left = s.secret ? s.name : `${s.name}=${s.value ?? ''}`;
    const right = s.secret ? `secret: copy the value of ${s.from}` : `from ${s.from}`;
    lines.push(`  ${left.padEnd(width)}  ${right}`);
  }

  const notCarried = [
    ...imported.notCarried,
    ...(schedules?.notCarried.map((n) => ({
      ...n,
      setting: `${path.basename(args.scheduleFile ?? '')}: ${n.setting}`,
    })) ?? []),
  ];
  const total = notCarried.reduce((sum, n) => sum + n.count, 0);
  lines.push('', `Not carried over (${total} setting(s)):`);
  if (notCarried.length === 0) lines.push('  (nothing)');
  for (const n of notCarried) {
    lines.push(`  ${n.setting}: ${n.reason}`);
  }

  const notes = [...imported.notes, ...(schedules?.notes ?? [])];
  if (notes.length) {
    lines.push('', 'Check:');
    for (const note of notes) lines.push(`  - ${note}`);
  }
  return lines.join('\n');
}
