/**
 * Evaluates a parsed QRS filter against a rendered row. Property names and strings compare
 * case-insensitively; a path crossing an array is true if ANY element matches, each condition on its own
 * (docs/sense-facts.md §11); ISO datetimes compare as instants; enum names compare with their numbers.
 */
import type { FilterNode, Literal, Operator } from './filter-parse';

const ENUM_VALUES: Record<string, number> = {
  // TaskExecutionStatus
  neverstarted: 0,
  triggered: 1,
  started: 2,
  queued: 3,
  abortinitiated: 4,
  aborting: 5,
  aborted: 6,
  finishedsuccess: 7,
  finishedfail: 8,
  skipped: 9,
  retry: 10,
  error: 11,
  reset: 12,
  distributionqueue: 13,
  distributionrunning: 14,
  // TaskType
  reload: 0,
  externalprogram: 1,
  usersync: 2,
  distribute: 3,
  preload: 4,
};

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:T[\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/;

function getProperty(value: unknown, name: string): unknown {
  if (value === null || typeof value !== 'object') return undefined;
  const lower = name.toLowerCase();
  const key = Object.keys(value).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : (value as Record<string, unknown>)[key];
}

/** All leaf values reached by `path`, flattening arrays at every step. */
export function resolvePath(row: unknown, path: string[]): unknown[] {
  let current: unknown[] = [row];
  for (const segment of path) {
    const next: unknown[] = [];
    for (const item of current) {
      for (const element of Array.isArray(item) ? item : [item]) next.push(getProperty(element, segment));
    }
    current = next;
  }
  return current.flatMap((v) => (Array.isArray(v) ? (v as unknown[]) : [v]));
}

function compareOrdered(op: Operator, diff: number): boolean {
  switch (op) {
    case 'eq':
      return diff === 0;
    case 'ne':
      return diff !== 0;
    case 'gt':
      return diff > 0;
    case 'ge':
      return diff >= 0;
    case 'lt':
      return diff < 0;
    case 'le':
      return diff <= 0;
    default:
      return false;
  }
}

function compareText(op: Operator, actual: string, expected: string): boolean {
  const a = actual.toLowerCase();
  const e = expected.toLowerCase();
  if (op === 'sw') return a.startsWith(e);
  if (op === 'ew') return a.endsWith(e);
  if (op === 'so') return a.includes(e);
  if (ISO_DATE.test(actual) && ISO_DATE.test(expected)) {
    const diff = Date.parse(actual) - Date.parse(expected);
    if (!Number.isNaN(diff)) return compareOrdered(op, diff);
  }
  return compareOrdered(op, a < e ? -1 : a > e ? 1 : 0);
}

function expectedNumber(literal: Literal): number | undefined {
  if (literal.kind === 'number') return literal.value;
  if (literal.kind === 'name') return ENUM_VALUES[literal.value.toLowerCase()];
  if (literal.kind === 'string' && literal.value.trim() !== '') {
    const n = Number(literal.value);
    return Number.isNaN(n) ? ENUM_VALUES[literal.value.toLowerCase()] : n;
  }
  return undefined;
}

function matchesValue(actual: unknown, op: Operator, literal: Literal): boolean {
  if (literal.kind === 'null') {
    const isNull = actual === null || actual === undefined;
    return op === 'eq' ? isNull : op === 'ne' ? !isNull : false;
  }
  if (actual === null || actual === undefined) return op === 'ne';
  if (literal.kind === 'boolean') {
    if (typeof actual !== 'boolean') return false;
    return op === 'eq' ? actual === literal.value : op === 'ne' ? actual !== literal.value : false;
  }
  if (typeof actual === 'number') {
    const expected = expectedNumber(literal);
    return expected === undefined ? false : compareOrdered(op, actual - expected);
  }
  if (typeof actual === 'string') {
    const expected = literal.kind === 'number' ? String(literal.value) : literal.value;
    return compareText(op, actual, expected);
  }
  return false;
}

export function evaluate(node: FilterNode, row: unknown): boolean {
  switch (node.kind) {
    case 'and':
      return evaluate(node.left, row) && evaluate(node.right, row);
    case 'or':
      return evaluate(node.left, row) || evaluate(node.right, row);
    case 'condition': {
      const values = resolvePath(row, node.path);
      return values.some((v) => matchesValue(v, node.op, node.literal));
    }
  }
}
