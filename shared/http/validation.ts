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
const compiled = new WeakMap<JsonSchema, ValidateFunction>();

function validatorFor(schema: JsonSchema): ValidateFunction {
  let fn = compiled.get(schema);
  if (!fn) {
    fn = ajv.compile(schema);
    compiled.set(schema, fn);
  }
  return fn;
}

function describe(where: 'body' | 'querystring' | 'params', error: ErrorObject | undefined): string {
  if (!error) return `${where} is invalid`;
  if (error.keyword === 'format' && (error.params as { format?: string }).format === 'guid') {
    return `${where}${error.instancePath} must be a GUID; got '${String(error.data).slice(0, 100)}'`;
  }
  return `${where}${error.instancePath} ${error.message ?? 'is invalid'}`;
}

/** Per schema: its optional boolean/number properties (found once). */
const optionalScalarsOf = new WeakMap<JsonSchema, readonly string[]>();

function optionalScalars(schema: JsonSchema): readonly string[] {
  let names = optionalScalarsOf.get(schema);
  if (!names) {
    const props = (schema.properties as Record<string, JsonSchema> | undefined) ?? {};
    const required = new Set((schema.required as string[] | undefined) ?? []);
    names = Object.entries(props)
      .filter(([name, prop]) => {
        const scalar = prop.type === 'boolean' || prop.type === 'number' || prop.type === 'integer';
        return scalar && !required.has(name);
      })
      .map(([name]) => name);
    optionalScalarsOf.set(schema, names);
  }
  return names;
}

/**
 * An empty string for an optional boolean or number means "not given" (the connector sends `""` for
 * unset script variables), so drop it before Ajv would reject or coerce it.
 */
function dropEmptyOptionalScalars(value: unknown, schema: JsonSchema): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return;
  const record = value as Record<string, unknown>;
  for (const name of optionalScalars(schema)) if (record[name] === '') delete record[name];
}

/** Validates (and coerces in place) `value`; returns it typed. Throws VALIDATION naming the field. */
export function validate<T>(where: 'body' | 'querystring' | 'params', schema: JsonSchema, value: unknown): T {
  dropEmptyOptionalScalars(value, schema);
  const fn = validatorFor(schema);
  if (!fn(value)) throw new ApiError('VALIDATION', describe(where, fn.errors?.[0]));
  return value as T;
}
