/**
 * App-setting overrides: `BUTLER__<path>` with `__` between levels, e.g. `BUTLER__sense__host=qlik.example.com`
 * or `BUTLER__newRelic__accounts__0__insertApiKey=…` (array elements by index; the next free index appends).
 * Segments match the schema's property names case-insensitively (app settings are often upper-cased);
 * values are coerced to the schema type (see coerce.ts). Applied after the file, before validation.
 * Parents apply before children, so `BUTLER__fileOps__copy=[…]` can be refined by `BUTLER__fileOps__copy__0__to`.
 */
import { coerceText, isPlainObject } from './coerce';
import { ConfigError, fileSuffix, joinPointer } from './errors';
import { childSchema, schemaTypes, type ChildSchema, type SchemaNode } from './schema-walk';

export const OVERRIDE_PREFIX = 'BUTLER__';

export interface OverrideContext {
  env: NodeJS.ProcessEnv;
  schema: SchemaNode;
  file: string | null;
  /** Filled with pointer → app setting name for every override applied (to attribute later errors). */
  sources: Map<string, string>;
}

interface Override {
  variable: string;
  text: string;
  pointer: string;
  steps: ChildSchema[];
}

/** Applies every BUTLER__ override to `data` in place. Throws ConfigError. */
export function applyOverrides(data: Record<string, unknown>, context: OverrideContext): void {
  const overrides = collectOverrides(context);
  overrides.sort((a, b) => a.steps.length - b.steps.length || a.variable.localeCompare(b.variable));
  for (const override of overrides) applyOne(data, override, context);
}

function collectOverrides(context: OverrideContext): Override[] {
  const byPointer = new Map<string, Override>();
  for (const [variable, text] of Object.entries(context.env)) {
    if (text === undefined || !variable.toUpperCase().startsWith(OVERRIDE_PREFIX)) continue;
    const override = resolveOverride(variable, text, context);
    const earlier = byPointer.get(override.pointer);
    if (earlier) {
      fail(
        context,
        override.pointer,
        `app settings ${earlier.variable} and ${variable} both set ${override.pointer}`,
      );
    }
    byPointer.set(override.pointer, override);
  }
  return [...byPointer.values()];
}

function resolveOverride(variable: string, text: string, context: OverrideContext): Override {
  const segments = variable.slice(OVERRIDE_PREFIX.length).split('__');
  let node = context.schema;
  let pointer = '';
  const steps: ChildSchema[] = [];
  for (const segment of segments) {
    if (segment === '') fail(context, pointer, `app setting ${variable} has an empty path segment`);
    const child = childSchema(context.schema, node, segment, true);
    if (!child) {
      const unknown = joinPointer(pointer, segment);
      return fail(context, unknown, `${unknown} (from app setting ${variable}) is not a setting`);
    }
    pointer = joinPointer(pointer, child.key);
    steps.push(child);
    node = child.node;
  }
  return { variable, text, pointer, steps };
}

function applyOne(data: Record<string, unknown>, override: Override, context: OverrideContext): void {
  const coerced = coerceText(override.steps[override.steps.length - 1]?.node ?? {}, override.text);
  if (!coerced.ok) {
    fail(context, override.pointer, `app setting ${override.variable} must be ${coerced.expected}`);
  }
  let container: unknown = data;
  let pointer = '';
  override.steps.forEach((step, index) => {
    const isLast = index === override.steps.length - 1;
    const value = isLast && coerced.ok ? coerced.value : undefined;
    container = setChild(container, step, pointer, isLast, value, override, context);
    pointer = joinPointer(pointer, step.key);
  });
  context.sources.set(override.pointer, override.variable);
}

/** Sets (last step) or descends into (creating when absent) one child; returns the child. */
function setChild(
  container: unknown,
  step: ChildSchema,
  parentPointer: string,
  isLast: boolean,
  value: unknown,
  override: Override,
  context: OverrideContext,
): unknown {
  const emptyContainer = (): unknown => (schemaTypes(step.node).includes('array') ? [] : {});
  if (step.isIndex) {
    if (!Array.isArray(container)) return notContainer(parentPointer, 'an array', override, context);
    const index = Number(step.key);
    if (index > container.length) {
      const reason = `index ${index} is past the end of ${parentPointer} (${container.length} items)`;
      fail(context, joinPointer(parentPointer, step.key), `app setting ${override.variable}: ${reason}`);
    }
    if (isLast) container[index] = value;
    else container[index] ??= emptyContainer();
    return container[index];
  }
  if (!isPlainObject(container)) return notContainer(parentPointer, 'an object', override, context);
  if (isLast || container[step.key] === undefined || container[step.key] === null) {
    Object.defineProperty(container, step.key, {
      value: isLast ? value : emptyContainer(),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return container[step.key];
}

function notContainer(pointer: string, kind: string, override: Override, context: OverrideContext): never {
  return fail(context, pointer, `app setting ${override.variable} cannot apply: ${pointer} is not ${kind}`);
}

function fail(context: OverrideContext, pointer: string, reason: string): never {
  throw new ConfigError(
    pointer,
    `Invalid config ${pointer}: ${reason}${fileSuffix(context.file)}`,
    context.file,
  );
}
