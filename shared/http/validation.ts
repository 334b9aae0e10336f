/**
 * Request validation with Butler's Ajv options (docs/butler-compatibility.md §2.3): type coercion the Qlik REST
 * connector relies on, defaults filled in, first error only, messages like `body/value must be string`.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { ApiError } from './errors';
import { isGuid } from '../guid';

export type JsonSchema = Record<string, unknown>;

// `verbose` keeps the failing value on the error, so a bad GUID can be quoted back (shortened).
const ajv = new Ajv({
  coerceTypes: 'array',
  useDefaults: true,
  allErrors: false,
  strict: false,
  verbose: true,
});
/** The one GUID check of a request: `Guid` in shared/http/schemas.ts uses this format. */
ajv.addFormat('guid', { type: 'string', validate: isGuid });

/** Per schema, worked out once: its compiled validator and its optional boolean/number properties. */
interface Prepared {
  fn: ValidateFunction;
  optionalScalars: readonly string[];
}
const prepared = new WeakMap<JsonSchema, Prepared>();

function prepare(schema: JsonSchema): Prepared {
  let found = prepared.get(schema);
  if (!found) {
    found = { fn: ajv.compile(schema), optionalScalars: optionalScalarsOf(schema) };
    prepared.set(schema, found);
  }
  return found;
}

function describe(where: 'body' | 'querystring' | 'params', error: ErrorObject | undefined): string {
  if (!error) return `${where} is invalid`;
  if (error.keyword === 'format' && (error.params as { format?: string }).format === 'guid') {
    return `${where}${error.instancePath} must be a GUID; got '${String(error.data).slice(0, 100)}'`;
  }
  return `${where}${error.instancePath} ${error.message ?? 'is invalid'}`;
}

function optionalScalarsOf(schema: JsonSchema): readonly string[] {
  const props = (schema.properties as Record<string, JsonSchema> | undefined) ?? {};
  const required = new Set((schema.required as string[] | undefined) ?? []);
  return Object.entries(props)
    .filter(([name, prop]) => {
      const scalar = prop.type === 'boolean' || prop.type === 'number' || prop.type === 'integer';
      return scalar && !required.has(name);
    })
    .map(([name]) => name);
}

/**
 * An empty string for an optional boolean or number means "not given" (the connector sends `""` for
 * unset script variables), so drop it before Ajv would reject or coerce it.
 */
function dropEmptyOptionalScalars(value: unknown, names: readonly string[]): void {
  if (names.length === 0 || typeof value !== 'object' || value === null || Array.isArray(value)) return;
  const record = value as Record<string, unknown>;
  for (const name of names) if (record[name] === '') delete record[name];
}

/** Validates (and coerces in place) `value`; returns it typed. Throws VALIDATION naming the field. */
export function validate<T>(where: 'body' | 'querystring' | 'params', schema: JsonSchema, value: unknown): T {
  const { fn, optionalScalars } = prepare(schema);
  dropEmptyOptionalScalars(value, optionalScalars);
  if (!fn(value)) throw new ApiError('VALIDATION', describe(where, fn.errors?.[0]));
  return value as T;
}
