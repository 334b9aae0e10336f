/**
 * `${env:NAME}` references in config string values.
 *
 * Decisions:
 * - A value that is exactly `${env:NAME}` takes the app setting's value, coerced to the schema's type
 *   (so `qrsPort: ${env:QRS_PORT}` works). An empty app setting counts as null there, which clears a
 *   nullable setting (and fails validation for a required one).
 * - References embedded in a longer string (`Server=${env:HOST};…`) are replaced textually and the
 *   result stays a string; an empty app setting inserts nothing.
 * - An app setting that is not set at all is an error, naming the pointer and the variable.
 * - There is no escape syntax; any other `${env:` text is reported as malformed.
 * - Only values are substituted, never keys. Errors never contain a value.
 */
import { coerceText, isPlainObject } from './coerce';
import { ConfigError, fileSuffix, joinPointer } from './errors';
import { schemaAt, type SchemaNode } from './schema-walk';

const REFERENCE = /\$\{env:([^}]*)\}/g;
const WHOLE_REFERENCE = /^\$\{env:([^}]*)\}$/;
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_.:-]*$/;

export interface EnvRefContext {
  env: NodeJS.ProcessEnv;
  schema: SchemaNode;
  file: string | null;
  /** Filled with pointer → variable name for every substituted value (to attribute later errors). */
  sources: Map<string, string>;
}

/** Returns a copy of `data` with every reference replaced. Throws ConfigError. */
export function substituteEnvRefs(data: unknown, context: EnvRefContext): unknown {
  return substitute(data, '', [], context);
}

function substitute(value: unknown, pointer: string, segments: string[], context: EnvRefContext): unknown {
  if (typeof value === 'string') return substituteString(value, pointer, segments, context);
  if (Array.isArray(value)) {
    return value.map((item, index) =>
      substitute(item, joinPointer(pointer, index), [...segments, String(index)], context),
    );
  }
  if (isPlainObject(value)) {
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      // defineProperty keeps a "__proto__" key an ordinary (and then unknown) setting.
      Object.defineProperty(copy, key, {
        value: substitute(item, joinPointer(pointer, key), [...segments, key], context),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return copy;
  }
  return value;
}

function substituteString(
  text: string,
  pointer: string,
  segments: string[],
  context: EnvRefContext,
): unknown {
  if (!text.includes('${env:')) return text;
  const fail = (reason: string): never => {
    throw new ConfigError(
      pointer,
      `Invalid config ${pointer}: ${reason}${fileSuffix(context.file)}`,
      context.file,
    );
  };
  const lookup = (name: string): string => {
    if (!VARIABLE_NAME.test(name)) fail('malformed ${env:NAME} reference (bad variable name)');
    const found = context.env[name];
    if (found === undefined) fail(`app setting ${name} (referenced as \${env:${name}}) is not set`);
    context.sources.set(pointer, name);
    return found ?? '';
  };

  const whole = WHOLE_REFERENCE.exec(text);
  if (whole) {
    const name = whole[1] ?? '';
    const raw = lookup(name);
    const node = schemaAt(context.schema, segments);
    if (!node) return raw === '' ? null : raw; // unknown setting: validation names it next
    const coerced = coerceText(node, raw);
    if (!coerced.ok) fail(`app setting ${name} (referenced as \${env:${name}}) must be ${coerced.expected}`);
    return coerced.ok ? coerced.value : undefined;
  }

  const replaced = text.replace(REFERENCE, (_match, name: string) => lookup(name));
  // Whatever `${env:` text remains was not a complete reference.
  if (text.replace(REFERENCE, '').includes('${env:')) fail('malformed ${env:NAME} reference');
  return replaced;
}
