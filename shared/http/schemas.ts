/** Schemas several operations share. */
import {
  Type,
  type ObjectOptions,
  type SchemaOptions,
  type TObject,
  type TProperties,
  type TUnsafe,
} from '@sinclair/typebox';

/** A Sense id (app, task, reload): a GUID in any case; handlers compare it lower-cased. */
export const Guid = Type.String({ format: 'guid', description: 'GUID (any case)' });

/**
 * An object whose properties with a `default` are optional on the wire but always present in the
 * handler's type: Ajv (`useDefaults`) fills them in before the handler runs.
 */
export function ObjectWithDefaults<T extends TProperties>(
  properties: T,
  options?: ObjectOptions,
): TObject<T> {
  const schema = Type.Object(properties, options);
  const wire: { required?: unknown } = schema;
  const required = Object.keys(properties).filter((name) => {
    const property = properties[name];
    return (
      Array.isArray(wire.required) &&
      wire.required.includes(name) &&
      property !== undefined &&
      !('default' in property)
    );
  });
  if (required.length > 0) wire.required = required;
  else delete wire.required;
  return schema;
}

/**
 * A string from a fixed list, as a JSON Schema `enum`. TypeBox spells literal unions as `anyOf`, whose
 * Ajv error is vaguer than Butler's `must be equal to one of the allowed values`: hence `Unsafe` here.
 */
export function StringEnum<const T extends readonly string[]>(
  values: T,
  options?: SchemaOptions,
): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ ...options, type: 'string', enum: [...values] });
}
