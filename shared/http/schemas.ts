/** Schemas several operations share. */
import { Type, type ObjectOptions, type TObject, type TProperties } from '@sinclair/typebox';

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
