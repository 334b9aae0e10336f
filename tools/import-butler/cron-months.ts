/**
 * Butler's cron library counts months 0-11 (January = 0); this project's scheduler counts 1-12. Numeric
 * months in the month field move up by one; names (JAN…DEC), `*` and step sizes stay as they are
 * (`*\/3` picks January, April, July and October in both).
 */

export type CronShift = { ok: true; cron: string; changed: boolean } | { ok: false; reason: string };

const MONTH_NAME = /^[A-Za-z]{3}$/;

function shiftEnd(end: string): string {
  if (MONTH_NAME.test(end)) return end;
  if (!/^\d{1,2}$/.test(end)) throw new Error(`month '${end}' is neither 0-11 nor a month name`);
  const month = Number(end);
  if (month > 11) throw new Error(`month ${month} is outside Butler's 0-11`);
  return String(month + 1);
}

function shiftPart(part: string): string {
  const [range, step, extra] = part.split('/');
  if (extra !== undefined || range === undefined || range === '')
    throw new Error(`month part '${part}' is malformed`);
  if (step !== undefined && !/^\d+$/.test(step)) throw new Error(`month step '${step}' is not a number`);
  const shifted = range === '*' ? '*' : range.split('-').map(shiftEnd).join('-');
  if (range !== '*' && range.split('-').length > 2) throw new Error(`month range '${range}' is malformed`);
  return step === undefined ? shifted : `${shifted}/${step}`;
}

/** Converts one Butler cron expression (5 fields, or 6 with seconds first). */
export function shiftCronMonths(expression: string): CronShift {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5 && fields.length !== 6) {
    return { ok: false, reason: `has ${fields.length} fields; 5 or 6 expected` };
  }
  const index = fields.length - 2; // month is always second to last: [sec] min hour dom month dow
  const month = fields[index]!;
  try {
    const shifted = month.split(',').map(shiftPart).join(',');
    fields[index] = shifted;
    return { ok: true, cron: fields.join(' '), changed: shifted !== month };
  } catch (err) {
    return { ok: false, reason: (err as Error).message };
  }
}
