/**
 * Builders for the config schema. Every setting with a default is declared *required* (so `Static<>`
 * gives the defaults-filled type, with no optional fields); the document generator drops such names
 * from `required` again (./document.ts), and ajv's `useDefaults` fills them in before `required` is
 * checked. Nullable and enum settings use `Type.Unsafe` so the emitted JSON Schema keeps the plain
 * `"type": [..., "null"]` and `"enum"` forms that the override coercion and the error messages read.
 */
import {
  Type,
  type ObjectOptions,
  type SchemaOptions,
  type Static,
  type TArray,
  type TObject,
  type TProperties,
  type TSchema,
  type TUnsafe,
} from '@sinclair/typebox';

/** An object whose unknown keys are errors. */
export function strictObject<P extends TProperties>(properties: P, options: ObjectOptions = {}): TObject<P> {
  return Type.Object(properties, { additionalProperties: false, ...options });
}

/** A config section: unknown keys are errors and an absent section takes every child's default. */
export function section<P extends TProperties>(properties: P, options: ObjectOptions = {}): TObject<P> {
  return strictObject(properties, { default: {}, ...options });
}

/** The schema's own keywords (TypeBox marks its nodes with symbol keys, which JSON never sees). */
function keywords(schema: TSchema): Record<string, unknown> {
  return Object.fromEntries(Object.entries(schema));
}

/** `schema` or null, as one `"type": [<type>, "null"]` node; `options` (default, description) apply to both. */
export function nullable<T extends TSchema>(
  schema: T,
  options: SchemaOptions = {},
): TUnsafe<Static<T> | null> {
  const own = keywords(schema);
  const type = own.type;
  if (typeof type !== 'string') throw new Error('nullable() needs a schema with a single type');
  return Type.Unsafe<Static<T> | null>({ ...own, type: [type, 'null'], ...options });
}

/** A string from a fixed list (`"enum"`, so errors list the allowed values). */
export function stringEnum<const V extends readonly string[]>(
  values: V,
  options: SchemaOptions = {},
): TUnsafe<V[number]> {
  return Type.Unsafe<V[number]>({ type: 'string', enum: [...values], ...options });
}

/** A non-empty string setting that is off (null) unless set. */
export function optionalString(description: string, options: SchemaOptions = {}): TUnsafe<string | null> {
  return nullable(Type.String({ minLength: 1 }), { default: null, description, ...options });
}

/** A list setting that defaults to empty (approved directories, extra headers, name/value pairs, …). */
export function listSetting<T extends TSchema>(item: T, description: string): TArray<T> {
  return Type.Array(item, { default: [], description });
}
