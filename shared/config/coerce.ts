/**
 * Turns app-setting text (BUTLER__ overrides, whole-value ${env:} references) into the type the
 * schema expects. Failures say what was expected, never what was given (it may be a secret).
 */
import { schemaTypes, type SchemaNode } from './schema-walk';

export type Coerced = { ok: true; value: unknown } | { ok: false; expected: string };

const INTEGER_TEXT = /^-?(0|[1-9][0-9]*)$/;
const BOOLEAN_TEXT = /^(true|false)$/i;

export function coerceText(node: SchemaNode, text: string): Coerced {
  const types = schemaTypes(node);
  if (types.length === 0) return { ok: true, value: text };
  // "null" (or empty: app settings cannot always be unset) clears a nullable setting.
  if (types.includes('null') && (text === 'null' || text === '')) return { ok: true, value: null };
  if (types.includes('string')) return { ok: true, value: text };

  const trimmed = text.trim();
  if (types.includes('boolean') && BOOLEAN_TEXT.test(trimmed)) {
    return { ok: true, value: trimmed.toLowerCase() === 'true' };
  }
  if (types.includes('integer') && INTEGER_TEXT.test(trimmed)) {
    const value = Number(trimmed);
    if (Number.isSafeInteger(value)) return { ok: true, value };
  }
  if (types.includes('number') && trimmed !== '' && Number.isFinite(Number(trimmed))) {
    return { ok: true, value: Number(trimmed) };
  }
  if (types.includes('array') || types.includes('object')) {
    const parsed = parseJsonText(trimmed);
    if (types.includes('array') && Array.isArray(parsed)) return { ok: true, value: parsed };
    if (types.includes('object') && isPlainObject(parsed)) return { ok: true, value: parsed };
  }
  return { ok: false, expected: describeExpected(types) };
}

function parseJsonText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function describeExpected(types: string[]): string {
  const words = types.map((type) => {
    if (type === 'boolean') return 'true or false';
    if (type === 'integer') return 'an integer';
    if (type === 'number') return 'a number';
    if (type === 'array') return 'a JSON array';
    if (type === 'object') return 'a JSON object';
    return type;
  });
  return words.join(' or ');
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
