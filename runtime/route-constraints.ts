/**
 * ASP.NET Core inline route constraints as the Functions host applies them (invariant culture).
 * Each parser turns `name(args)` into a predicate over the percent-decoded route value, or throws an
 * Error whose message explains what is wrong with the constraint text (a registration error).
 */

export type RouteConstraintCheck = (value: string) => boolean;

export interface RouteConstraint {
  /** constraint text as written, e.g. `min(1)`, for messages */
  readonly text: string;
  readonly test: RouteConstraintCheck;
  /** what every accepted value looks like, when known: lets the router prove two templates disjoint */
  readonly kind: ConstraintKind;
}

export type ConstraintKind = 'integer' | 'bool' | 'guid' | 'alpha' | 'other';

const INTEGER: ConstraintKind = 'integer';
const OTHER: ConstraintKind = 'other';
const INT32_MIN = -(2n ** 31n);
const INT32_MAX = 2n ** 31n - 1n;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const DECIMAL_MAX = 79228162514264337593543950335n;

// .NET NumberStyles.Integer: optional surrounding white space, optional leading sign, digits.
const INTEGER_TEXT = /^\s*([+-]?)(\d+)\s*$/;
// NumberStyles.Float | AllowThousands (double constraint): thousands separators only before the point.
const FLOAT_TEXT = /^\s*[+-]?(?:\d[\d,]*(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?\s*$/i;
const FLOAT_SYMBOLS = /^\s*(?:nan|[+-]?infinity|[+-]?∞)\s*$/i;
// NumberStyles.Number (decimal constraint): leading or trailing sign, thousands, point, no exponent.
const DECIMAL_TEXT = /^\s*([+-]?)(\d[\d,]*|)(?:\.(\d*))?([+-]?)\s*$/;
const GUID_HEX = '[0-9a-f]';
const GUID_D = `${GUID_HEX}{8}-${GUID_HEX}{4}-${GUID_HEX}{4}-${GUID_HEX}{4}-${GUID_HEX}{12}`;
const GUID_TEXT = new RegExp(`^\\s*(?:${GUID_HEX}{32}|${GUID_D}|\\{${GUID_D}\\}|\\(${GUID_D}\\))\\s*$`, 'i');
const ALPHA_TEXT = /^[a-z]*$/i;
// Invariant-culture dates the constraint accepts: ISO 8601 (date, optional time and offset) and M/d/yyyy.
const ISO_DATETIME =
  /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d{1,7})?)?)?\s*(?:Z|[+-]\d{2}:?\d{2})?$/i;
const US_DATETIME = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?: (\d{1,2}):(\d{2})(?::(\d{2}))?(?: ?([AP]M))?)?$/i;

/** parses an integer the way Int64.TryParse does; undefined when not an integer or out of Int64 range */
export function parseInt64(text: string): bigint | undefined {
  const match = INTEGER_TEXT.exec(text);
  if (!match) return undefined;
  const value = BigInt(`${match[1] ?? ''}${match[2] ?? ''}`);
  return value < INT64_MIN || value > INT64_MAX ? undefined : value;
}

function isInt32(text: string): boolean {
  const value = parseInt64(text);
  return value !== undefined && value >= INT32_MIN && value <= INT32_MAX;
}

function isDouble(text: string): boolean {
  return FLOAT_TEXT.test(text) || FLOAT_SYMBOLS.test(text);
}

function isDecimal(text: string): boolean {
  const match = DECIMAL_TEXT.exec(text);
  if (!match) return false;
  const [, leadingSign, integerPart = '', fraction = '', trailingSign] = match;
  if (leadingSign && trailingSign) return false;
  if (integerPart === '' && fraction === '') return false;
  const whole = integerPart.replace(/,/g, '');
  return whole === '' || BigInt(whole) <= DECIMAL_MAX;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function isValidCalendarDate(year: number, month: number, day: number): boolean {
  return year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function isValidTime(hour: number, minute: number, second: number, twelveHour: boolean): boolean {
  const hourOk = twelveHour ? hour >= 1 && hour <= 12 : hour <= 23;
  return hourOk && minute <= 59 && second <= 59;
}

/** approximation of DateTime.TryParse(InvariantCulture) limited to the common unambiguous forms */
function isDateTime(text: string): boolean {
  const trimmed = text.trim();
  const iso = ISO_DATETIME.exec(trimmed);
  if (iso) {
    const [, y, mo, d, h = '0', mi = '0', s = '0'] = iso;
    return isValidCalendarDate(Number(y), Number(mo), Number(d)) && isValidTime(+h, +mi, +s, false);
  }
  const us = US_DATETIME.exec(trimmed);
  if (us) {
    const [, mo, d, y, h = '0', mi = '0', s = '0', meridiem] = us;
    const twelveHour = meridiem !== undefined;
    return isValidCalendarDate(Number(y), Number(mo), Number(d)) && isValidTime(+h, +mi, +s, twelveHour);
  }
  return false;
}

function isBool(text: string): boolean {
  const trimmed = text.trim().toLowerCase();
  return trimmed === 'true' || trimmed === 'false';
}

function integerArgs(name: string, args: string[], count: number[]): bigint[] {
  if (!count.includes(args.length)) {
    throw new Error(
      `constraint "${name}" takes ${count.join(' or ')} integer argument(s), got ${args.length}`,
    );
  }
  return args.map((arg) => {
    const value = parseInt64(arg);
    if (value === undefined) throw new Error(`constraint "${name}" argument "${arg}" is not an integer`);
    return value;
  });
}

function noArgs(name: string, args: string[] | undefined): void {
  if (args !== undefined) throw new Error(`constraint "${name}" takes no arguments`);
}

function requireArgs(name: string, args: string[] | undefined): string[] {
  if (args === undefined) throw new Error(`constraint "${name}" needs arguments, e.g. ${name}(1)`);
  return args;
}

function inLongRange(value: string, low: bigint, high: bigint): boolean {
  const parsed = parseInt64(value);
  return parsed !== undefined && parsed >= low && parsed <= high;
}

function lengthBetween(low: bigint, high: bigint): RouteConstraintCheck {
  return (value) => BigInt(value.length) >= low && BigInt(value.length) <= high;
}

function buildCheck(
  name: string,
  rawArgs: string | undefined,
): { test: RouteConstraintCheck; kind: ConstraintKind } {
  const args = rawArgs === undefined ? undefined : rawArgs.split(',').map((arg) => arg.trim());
  switch (name) {
    case 'int':
      noArgs(name, args);
      return { test: isInt32, kind: INTEGER };
    case 'long':
      noArgs(name, args);
      return { test: (v) => parseInt64(v) !== undefined, kind: INTEGER };
    case 'bool':
      noArgs(name, args);
      return { test: isBool, kind: 'bool' };
    case 'guid':
      noArgs(name, args);
      return { test: (v) => GUID_TEXT.test(v), kind: 'guid' };
    case 'alpha':
      noArgs(name, args);
      return { test: (v) => ALPHA_TEXT.test(v), kind: 'alpha' };
    case 'double':
      noArgs(name, args);
      return { test: isDouble, kind: OTHER };
    case 'decimal':
      noArgs(name, args);
      return { test: isDecimal, kind: OTHER };
    case 'datetime':
      noArgs(name, args);
      return { test: isDateTime, kind: OTHER };
    case 'min': {
      const [low = 0n] = integerArgs(name, requireArgs(name, args), [1]);
      return { test: (v) => inLongRange(v, low, INT64_MAX), kind: INTEGER };
    }
    case 'max': {
      const [high = 0n] = integerArgs(name, requireArgs(name, args), [1]);
      return { test: (v) => inLongRange(v, INT64_MIN, high), kind: INTEGER };
    }
    case 'range': {
      const [low = 0n, high = 0n] = integerArgs(name, requireArgs(name, args), [2]);
      if (low > high) throw new Error(`constraint "range(${rawArgs})": minimum is greater than maximum`);
      return { test: (v) => inLongRange(v, low, high), kind: INTEGER };
    }
    case 'length': {
      const bounds = integerArgs(name, requireArgs(name, args), [1, 2]);
      const [low = 0n, high = low] = bounds;
      if (low < 0n || low > high) throw new Error(`constraint "length(${rawArgs})" has invalid bounds`);
      return { test: lengthBetween(low, high), kind: OTHER };
    }
    case 'minlength': {
      const [low = 0n] = integerArgs(name, requireArgs(name, args), [1]);
      if (low < 0n) throw new Error(`constraint "minlength(${rawArgs})" must not be negative`);
      return { test: lengthBetween(low, INT64_MAX), kind: OTHER };
    }
    case 'maxlength': {
      const [high = 0n] = integerArgs(name, requireArgs(name, args), [1]);
      if (high < 0n) throw new Error(`constraint "maxlength(${rawArgs})" must not be negative`);
      return { test: lengthBetween(0n, high), kind: OTHER };
    }
    default:
      throw new Error(
        `unknown route constraint "${name}" (supported: int, long, bool, guid, alpha, double, decimal, ` +
          'datetime, min, max, range, length, minlength, maxlength, regex)',
      );
  }
}

function buildRegexCheck(pattern: string | undefined): RouteConstraintCheck {
  if (pattern === undefined || pattern === '')
    throw new Error('constraint "regex" needs a pattern: regex(^...$)');
  let regex: RegExp;
  try {
    // ASP.NET uses IgnoreCase | CultureInvariant and does NOT anchor the pattern.
    regex = new RegExp(pattern, 'i');
  } catch (error) {
    throw new Error(
      `constraint "regex(${pattern})" is not a valid regular expression: ${(error as Error).message}`,
    );
  }
  return (value) => regex.test(value);
}

/** `name` is the constraint name, `args` the raw text between the parentheses (undefined without parentheses) */
export function parseRouteConstraint(name: string, args: string | undefined): RouteConstraint {
  const lowerName = name.toLowerCase();
  const text = args === undefined ? name : `${name}(${args})`;
  if (lowerName === 'regex') return { text, test: buildRegexCheck(args), kind: OTHER };
  return { text, ...buildCheck(lowerName, args) };
}
