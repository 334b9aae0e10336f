/**
 * Timer schedules as the Functions host reads them: a six-field NCRONTAB expression
 * (`sec min hour day month day-of-week`) or a TimeSpan. Own calculator rather than croner so the accepted
 * syntax is exactly NCrontab's (no 5 fields, no L/W/#/?) and day-of-month AND day-of-week both apply.
 * All times are UTC (the host's time zone in the images).
 */

export interface TimerSchedule {
  next(after: Date): Date | null;
  readonly text: string;
  readonly firesMoreThanOncePerMinute: boolean;
  /** what the host reports as `schedule.adjustForDST`: true for NCRONTAB, false for a TimeSpan */
  readonly adjustForDST?: boolean;
}

interface FieldSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
}

const MONTH_NAMES = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const FULL_MONTH_NAMES = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];
const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const FULL_DAY_NAMES = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

const FIELDS: readonly FieldSpec[] = [
  { name: 'second', min: 0, max: 59 },
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTH_NAMES },
  { name: 'day of week', min: 0, max: 6, names: DAY_NAMES },
];

const SECOND_MS = 1000;
const DAY_MS = 86_400_000;
// every day-of-month/month/day-of-week combination that exists at all recurs within 400 Gregorian years
const SEARCH_LIMIT_DAYS = 400 * 366;

function parseValue(text: string, spec: FieldSpec, expression: string): number {
  let value: number;
  if (/^\d+$/.test(text)) {
    value = Number(text);
  } else {
    const lower = text.toLowerCase();
    const full = spec.names === MONTH_NAMES ? FULL_MONTH_NAMES : FULL_DAY_NAMES;
    const index = spec.names ? Math.max(spec.names.indexOf(lower), full.indexOf(lower)) : -1;
    if (index < 0) {
      throw new Error(`invalid ${spec.name} value "${text}" in timer schedule "${expression}"`);
    }
    value = index + spec.min;
  }
  if (value < spec.min || value > spec.max) {
    throw new Error(
      `${spec.name} value ${value} is out of range ${spec.min}-${spec.max} in timer schedule "${expression}"`,
    );
  }
  return value;
}

/** one comma-separated element: `*`, `v`, `a-b`, each optionally `/step` (`v/step` runs from v to max) */
function addElement(element: string, spec: FieldSpec, expression: string, into: Set<number>): void {
  const [range = '', stepText, extra] = element.split('/');
  if (extra !== undefined || range === '') {
    throw new Error(`invalid ${spec.name} element "${element}" in timer schedule "${expression}"`);
  }
  let step = 1;
  if (stepText !== undefined) {
    if (!/^\d+$/.test(stepText) || Number(stepText) === 0) {
      throw new Error(`invalid step "${stepText}" in ${spec.name} of timer schedule "${expression}"`);
    }
    step = Number(stepText);
  }
  let first: number;
  let last: number;
  if (range === '*') {
    first = spec.min;
    last = spec.max;
  } else if (range.includes('-')) {
    const [low = '', high = '', more] = range.split('-');
    if (more !== undefined) throw new Error(`invalid range "${range}" in timer schedule "${expression}"`);
    first = parseValue(low, spec, expression);
    last = parseValue(high, spec, expression);
    if (first > last) {
      throw new Error(`range "${range}" runs backwards in ${spec.name} of timer schedule "${expression}"`);
    }
  } else {
    first = parseValue(range, spec, expression);
    last = stepText === undefined ? first : spec.max;
  }
  for (let value = first; value <= last; value += step) into.add(value);
}

function parseField(text: string, spec: FieldSpec, expression: string): number[] {
  const values = new Set<number>();
  for (const element of text.split(',')) addElement(element, spec, expression, values);
  return [...values].sort((a, b) => a - b);
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** smallest allowed value >= from, or undefined */
function firstAtLeast(allowed: readonly number[], from: number): number | undefined {
  return allowed.find((value) => value >= from);
}

class CronSchedule implements TimerSchedule {
  readonly firesMoreThanOncePerMinute: boolean;
  readonly adjustForDST = true;

  constructor(
    readonly text: string,
    private readonly seconds: number[],
    private readonly minutes: number[],
    private readonly hours: number[],
    private readonly days: number[],
    private readonly months: number[],
    private readonly weekdays: number[],
  ) {
    this.firesMoreThanOncePerMinute = seconds.length > 1;
    if (!months.some((month) => days.some((day) => day <= daysInMonth(2000, month)))) {
      throw new Error(`timer schedule "${text}" never fires (no month has the given day)`);
    }
  }

  /** first occurrence strictly after `after` */
  next(after: Date): Date | null {
    const start = Math.floor(after.getTime() / SECOND_MS) * SECOND_MS + SECOND_MS;
    if (!Number.isFinite(start)) return null;
    let day = new Date(Math.floor(start / DAY_MS) * DAY_MS);
    let timeOfDay = (start - day.getTime()) / SECOND_MS;
    for (let searched = 0; searched <= SEARCH_LIMIT_DAYS; searched++) {
      if (this.dayMatches(day)) {
        const found = this.firstTimeOfDay(timeOfDay);
        if (found !== undefined) return new Date(day.getTime() + found * SECOND_MS);
      }
      day = new Date(day.getTime() + DAY_MS);
      timeOfDay = 0;
    }
    return null;
  }

  private dayMatches(day: Date): boolean {
    return (
      this.months.includes(day.getUTCMonth() + 1) &&
      this.days.includes(day.getUTCDate()) &&
      this.weekdays.includes(day.getUTCDay())
    );
  }

  /** earliest matching second of the day at or after `from` (seconds since midnight) */
  private firstTimeOfDay(from: number): number | undefined {
    const fromHour = Math.floor(from / 3600);
    const fromMinute = Math.floor((from % 3600) / 60);
    const fromSecond = from % 60;
    for (const hour of this.hours.filter((h) => h >= fromHour)) {
      const minuteFloor = hour === fromHour ? fromMinute : 0;
      for (const minute of this.minutes.filter((m) => m >= minuteFloor)) {
        const secondFloor = hour === fromHour && minute === fromMinute ? fromSecond : 0;
        const second = firstAtLeast(this.seconds, secondFloor);
        if (second !== undefined) return hour * 3600 + minute * 60 + second;
      }
    }
    return undefined;
  }
}

/**
 * TimeSpan schedule. The host's ConstantSchedule returns `now + interval` with no alignment to the clock, so
 * the first run is one interval after start-up and each next one an interval after the previous run ended.
 */
class IntervalSchedule implements TimerSchedule {
  readonly firesMoreThanOncePerMinute: boolean;
  readonly adjustForDST = false;

  constructor(
    readonly text: string,
    private readonly intervalMs: number,
  ) {
    this.firesMoreThanOncePerMinute = intervalMs < 60 * SECOND_MS;
  }

  next(after: Date): Date | null {
    const next = after.getTime() + this.intervalMs;
    return Number.isFinite(next) ? new Date(next) : null;
  }
}

// Quartz/croner extensions that NCrontab rejects: `?`, `#`, and L/W as whole tokens (`L`, `LW`, `15W`, `5L`)
const UNSUPPORTED_TOKEN = /([?#]|(?<=^|[,/-])(?:LW|L|W|\d+[LW])(?=$|[,/-]))/i;

// .NET TimeSpan text: [d.]hh:mm[:ss[.fffffff]]
const TIMESPAN = /^(?:(\d+)\.)?(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,7}))?)?$/;

function parseTimeSpan(text: string): IntervalSchedule | undefined {
  const match = TIMESPAN.exec(text);
  if (!match) return undefined;
  const [, days = '0', hours = '0', minutes = '0', seconds = '0', fraction = ''] = match;
  if (Number(hours) > 23 || Number(minutes) > 59 || Number(seconds) > 59) {
    throw new Error(`timer schedule "${text}" is not a valid TimeSpan (hh 0-23, mm and ss 0-59)`);
  }
  const fractionMs = fraction === '' ? 0 : Number(`0.${fraction}`) * SECOND_MS;
  const intervalMs =
    ((Number(days) * 24 + Number(hours)) * 60 + Number(minutes)) * 60 * SECOND_MS +
    Number(seconds) * SECOND_MS +
    fractionMs;
  if (intervalMs <= 0) throw new Error(`timer schedule "${text}" has a zero interval`);
  return new IntervalSchedule(text, intervalMs);
}

/** NCRONTAB (exactly 6 fields: sec min hour day month dow) or a TimeSpan "hh:mm:ss" / "d.hh:mm:ss". Throws
 *  Error with a clear message on anything else (5 fields, L, W, #, ?, out-of-range values). Times are UTC. */
export function parseTimerSchedule(text: string): TimerSchedule {
  if (typeof text !== 'string' || text.trim() === '') throw new Error('timer schedule is empty');
  const expression = text.trim();
  const interval = parseTimeSpan(expression);
  if (interval) return interval;
  const fields = expression.split(/\s+/);
  if (fields.length !== 6) {
    throw new Error(
      `timer schedule "${expression}" has ${fields.length} field(s); NCRONTAB needs exactly 6 ` +
        '(second minute hour day month day-of-week), or use a TimeSpan such as 00:05:00',
    );
  }
  const unsupported = fields.map((field) => UNSUPPORTED_TOKEN.exec(field)?.[1]).find(Boolean);
  if (unsupported) {
    throw new Error(
      `timer schedule "${expression}" uses "${unsupported}": NCRONTAB does not support L, W, # or ?`,
    );
  }
  const [seconds, minutes, hours, days, months, weekdays] = FIELDS.map((spec, index) =>
    parseField(fields[index] ?? '', spec, expression),
  ) as [number[], number[], number[], number[], number[], number[]];
  return new CronSchedule(expression, seconds, minutes, hours, days, months, weekdays);
}
