/**
 * ASP.NET Core route templates as used by the Functions host: parsing, matching a request path, and
 * deciding whether two templates could match the same path (for precedence warnings).
 */
import { parseRouteConstraint, type ConstraintKind, type RouteConstraint } from './route-constraints';

export interface LiteralSegment {
  readonly kind: 'literal';
  readonly text: string;
  /** `text` lower-cased once: literals match case-insensitively. */
  readonly lower: string;
}

export interface ParameterSegment {
  readonly kind: 'parameter';
  /** as written in the template; route params are returned under this name */
  readonly name: string;
  /** `{p?}`, `{p=default}` and `{*rest}` may be absent from the path */
  readonly optional: boolean;
  readonly defaultValue: string | undefined;
  readonly catchAll: boolean;
  readonly constraints: readonly RouteConstraint[];
}

export type TemplateSegment = LiteralSegment | ParameterSegment;

export interface RouteTemplate {
  readonly text: string;
  readonly segments: readonly TemplateSegment[];
}

const PARAMETER_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const CONSTRAINT_NAME = /^[A-Za-z][A-Za-z0-9]*/;

/** index of the `)` closing the `(` at `open`, honouring nesting, `\` escapes and `[...]` classes */
function findClosingParenthesis(text: string, open: number): number {
  let depth = 0;
  let inClass = false;
  for (let i = open; i < text.length; i++) {
    const char = text[i];
    if (char === '\\') {
      i++;
    } else if (inClass) {
      if (char === ']') inClass = false;
    } else if (char === '[') {
      inClass = true;
    } else if (char === '(') {
      depth++;
    } else if (char === ')') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

function parseConstraints(body: string, start: number): { constraints: RouteConstraint[]; end: number } {
  const constraints: RouteConstraint[] = [];
  let pos = start;
  while (body[pos] === ':') {
    const name = CONSTRAINT_NAME.exec(body.slice(pos + 1))?.[0];
    if (!name) throw new Error(`missing constraint name after ':' in "{${body}}"`);
    pos += 1 + name.length;
    let args: string | undefined;
    if (body[pos] === '(') {
      const close = findClosingParenthesis(body, pos);
      if (close < 0) throw new Error(`unbalanced parentheses in constraint "${name}" of "{${body}}"`);
      args = body.slice(pos + 1, close);
      pos = close + 1;
    }
    if (pos < body.length && !':=?'.includes(body[pos] ?? '')) {
      throw new Error(`unexpected text "${body.slice(pos)}" after constraint "${name}" in "{${body}}"`);
    }
    constraints.push(parseRouteConstraint(name, args));
  }
  return { constraints, end: pos };
}

function parseParameter(body: string): ParameterSegment {
  const catchAll = body.startsWith('*');
  const nameStart = body.startsWith('**') ? 2 : catchAll ? 1 : 0;
  const nameEnd = body.slice(nameStart).search(/[:=?]/);
  const afterName = nameEnd < 0 ? body.length : nameStart + nameEnd;
  const name = body.slice(nameStart, afterName);
  if (!PARAMETER_NAME.test(name)) {
    throw new Error(`invalid parameter name "${name}" in "{${body}}" (letters, digits, '_' and '-')`);
  }
  const { constraints, end } = parseConstraints(body, afterName);
  let optional = catchAll;
  let defaultValue: string | undefined;
  if (body[end] === '?') {
    if (end !== body.length - 1) throw new Error(`'?' must end the parameter "{${body}}"`);
    if (catchAll) throw new Error(`a catch-all parameter cannot be marked optional: "{${body}}"`);
    optional = true;
  } else if (body[end] === '=') {
    defaultValue = body.slice(end + 1);
    if (defaultValue.endsWith('?'))
      throw new Error(`an optional parameter cannot have a default: "{${body}}"`);
    const failed = constraints.find((constraint) => !constraint.test(defaultValue ?? ''));
    if (failed) throw new Error(`default "${defaultValue}" does not satisfy constraint "${failed.text}"`);
    optional = true;
  }
  return { kind: 'parameter', name, optional, defaultValue, catchAll, constraints };
}

/** one whole-segment parameter `{...}`; `{{` and `}}` inside it stand for literal braces (regex quantifiers) */
function parseSegment(segment: string): TemplateSegment {
  if (!segment.includes('{') && !segment.includes('}')) {
    if (segment.includes('?'))
      throw new Error(`segment "${segment}" must not contain '?' (no query in a route)`);
    return { kind: 'literal', text: segment, lower: segment.toLowerCase() };
  }
  if (segment.startsWith('{')) {
    let i = 1;
    while (i < segment.length) {
      const pair = segment.slice(i, i + 2);
      if (pair === '{{' || pair === '}}') i += 2;
      else if (segment[i] === '}') break;
      else if (segment[i] === '{') throw new Error(`unexpected '{' in segment "${segment}"`);
      else i++;
    }
    if (i === segment.length - 1) {
      const body = segment.slice(1, -1).replace(/\{\{/g, '{').replace(/\}\}/g, '}');
      if (body === '') throw new Error('empty parameter "{}"');
      return parseParameter(body);
    }
  }
  if (!segment.includes('{')) throw new Error(`unmatched '}' in segment "${segment}"`);
  if (segment.startsWith('{') && !segment.includes('}'))
    throw new Error(`unclosed '{' in segment "${segment}"`);
  throw new Error(
    `segment "${segment}" mixes literal text and parameters (complex segments are not supported): ` +
      'use one parameter per segment',
  );
}

/** `text` has its leading and trailing `/` already removed; throws Error explaining the problem */
export function parseRouteTemplate(text: string): RouteTemplate {
  const rawSegments = text === '' ? [] : text.split('/');
  const segments = rawSegments.map((segment) => {
    if (segment === '') throw new Error(`route "${text}" contains an empty segment ("//")`);
    return parseSegment(segment);
  });
  const names = new Set<string>();
  let sawOptional = false;
  segments.forEach((segment, index) => {
    if (segment.kind === 'literal') {
      if (sawOptional) throw new Error(`route "${text}": only parameters may follow an optional parameter`);
      return;
    }
    const key = segment.name.toLowerCase();
    if (names.has(key)) throw new Error(`route "${text}" uses parameter "${segment.name}" twice`);
    names.add(key);
    if (segment.catchAll && index !== segments.length - 1) {
      throw new Error(`route "${text}": a catch-all parameter must be the last segment`);
    }
    if (sawOptional && !segment.optional) {
      throw new Error(`route "${text}": a required parameter cannot follow an optional one`);
    }
    sawOptional ||= segment.optional;
  });
  return { text, segments };
}

/**
 * Splits a raw (percent-encoded) URL path into decoded segments. A trailing slash is ignored.
 * Returns null when a segment has a malformed %-escape (the request then matches no route).
 */
export function splitRequestPath(pathname: string): string[] | null {
  let path = pathname;
  const query = path.indexOf('?');
  if (query >= 0) path = path.slice(0, query);
  if (path.startsWith('/')) path = path.slice(1);
  if (path.endsWith('/')) path = path.slice(0, -1);
  if (path === '') return [];
  // Nothing escaped (the usual case): the segments are already decoded.
  if (!path.includes('%')) return path.split('/');
  const decoded: string[] = [];
  for (const raw of path.split('/')) {
    try {
      decoded.push(decodeURIComponent(raw));
    } catch {
      return null;
    }
  }
  return decoded;
}

function satisfies(segment: ParameterSegment, value: string): boolean {
  return segment.constraints.every((constraint) => constraint.test(value));
}

/**
 * route params for decoded path segments, or null when the template does not match. `lowerPath`: the
 * same segments lower-cased, when the caller tries many templates against one path (the router).
 */
export function matchRouteTemplate(
  template: RouteTemplate,
  path: readonly string[],
  lowerPath: readonly (string | undefined)[] = path.map((value) => value.toLowerCase()),
): Record<string, string> | null {
  const { segments } = template;
  // Literals first: most templates a request is tried against fail there, before any params object.
  for (let index = 0; index < segments.length; index++) {
    const segment = segments[index];
    if (segment?.kind === 'literal' && lowerPath[index] !== segment.lower) return null;
  }
  const params: Record<string, string> = {};
  for (let index = 0; index < segments.length; index++) {
    const segment = segments[index];
    const value = path[index];
    if (segment === undefined) break;
    if (segment.kind === 'literal') continue;
    if (segment.catchAll) {
      const rest = path.slice(index).join('/');
      if (rest !== '' && !satisfies(segment, rest)) return null;
      params[segment.name] = rest === '' ? (segment.defaultValue ?? '') : rest;
      return params;
    }
    if (value === undefined) {
      if (!segment.optional) return null;
      // the host passes a missing optional value as '' (or its default), never undefined
      params[segment.name] = segment.defaultValue ?? '';
      continue;
    }
    if (value === '' || !satisfies(segment, value)) return null;
    params[segment.name] = value;
  }
  return path.length <= segments.length ? params : null;
}

function lengthRange(template: RouteTemplate): { min: number; max: number } {
  const { segments } = template;
  const firstOptional = segments.findIndex((segment) => segment.kind === 'parameter' && segment.optional);
  const last = segments[segments.length - 1];
  const endsWithCatchAll = last?.kind === 'parameter' && last.catchAll;
  return {
    min: firstOptional < 0 ? segments.length : firstOptional,
    max: endsWithCatchAll ? Number.POSITIVE_INFINITY : segments.length,
  };
}

function segmentAt(template: RouteTemplate, index: number): TemplateSegment | undefined {
  const segment = template.segments[index];
  if (segment) return segment;
  const last = template.segments[template.segments.length - 1];
  return last?.kind === 'parameter' && last.catchAll ? last : undefined;
}

function kindsOf(segment: ParameterSegment): Set<ConstraintKind> {
  return new Set(segment.constraints.map((constraint) => constraint.kind).filter((kind) => kind !== 'other'));
}

/** conservative: only constraint kinds that provably share no value count as disjoint */
function parametersCanOverlap(a: ParameterSegment, b: ParameterSegment): boolean {
  const aKinds = kindsOf(a);
  const bKinds = kindsOf(b);
  for (const aKind of aKinds) {
    for (const bKind of bKinds) {
      if (aKind === bKind) continue;
      if (aKind === 'integer' || bKind === 'integer') return false;
      if ((aKind === 'bool' && bKind === 'guid') || (aKind === 'guid' && bKind === 'bool')) return false;
    }
  }
  return true;
}

function segmentsCanOverlap(a: TemplateSegment, b: TemplateSegment): boolean {
  if (a.kind === 'literal' && b.kind === 'literal') return a.lower === b.lower;
  if (a.kind === 'literal' && b.kind === 'parameter') return b.catchAll || satisfies(b, a.text);
  if (a.kind === 'parameter' && b.kind === 'literal') return a.catchAll || satisfies(a, b.text);
  if (a.kind === 'parameter' && b.kind === 'parameter') {
    return a.catchAll || b.catchAll || parametersCanOverlap(a, b);
  }
  return false;
}

/** true when some request path could match both templates (may over-report for regex constraints) */
export function templatesCanOverlap(a: RouteTemplate, b: RouteTemplate): boolean {
  const aRange = lengthRange(a);
  const bRange = lengthRange(b);
  const low = Math.max(aRange.min, bRange.min);
  // beyond the longest explicit template only catch-alls remain, so one extra length decides every case
  const high = Math.min(aRange.max, bRange.max, Math.max(a.segments.length, b.segments.length) + 1);
  for (let length = low; length <= high; length++) {
    let compatible = true;
    for (let index = 0; index < length && compatible; index++) {
      const aSegment = segmentAt(a, index);
      const bSegment = segmentAt(b, index);
      compatible = aSegment !== undefined && bSegment !== undefined && segmentsCanOverlap(aSegment, bSegment);
    }
    if (compatible) return true;
  }
  return false;
}
