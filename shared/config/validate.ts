/** Validates config data with ajv against the generated config schema (./schema/root.ts), filling defaults. */
import Ajv from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { joinPointer } from './errors';
import { configDocument } from './schema/root';
import type { SchemaNode } from './schema-walk';

/** A schema violation: where, and what is wrong (never the offending value). */
export interface SchemaIssue {
  pointer: string;
  reason: string;
}

interface CompiledSchema {
  root: SchemaNode;
  validate: ValidateFunction;
}

// Compiled once per process: the schema is part of the code and cannot change while we run.
let compiled: CompiledSchema | undefined;

function compile(): CompiledSchema {
  if (compiled) return compiled;
  const root = configDocument() as SchemaNode;
  const ajv = new Ajv({ strict: true, allErrors: false, useDefaults: true, allowUnionTypes: true });
  compiled = { root, validate: ajv.compile(root) };
  return compiled;
}

/** The schema document, for walking it (override coercion, redaction). */
export function configSchema(): SchemaNode {
  return compile().root;
}

/** Validates in place, filling defaults from the schema. Returns the first problem, or null. */
export function validateConfigData(data: unknown): SchemaIssue | null {
  const { validate } = compile();
  if (validate(data)) return null;
  const first = validate.errors?.[0];
  return first ? describeAjvError(first) : { pointer: '', reason: 'is invalid' };
}

function describeAjvError(error: ErrorObject): SchemaIssue {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties':
      return {
        pointer: joinPointer(error.instancePath, String(params.additionalProperty)),
        reason: 'unknown setting',
      };
    case 'required':
      return {
        pointer: joinPointer(error.instancePath, String(params.missingProperty)),
        reason: 'is required',
      };
    case 'type':
      return {
        pointer: error.instancePath,
        reason: `must be ${String(params.type).split(',').join(' or ')}`,
      };
    case 'enum': {
      const allowed = Array.isArray(params.allowedValues) ? params.allowedValues.map(String).join(', ') : '';
      return { pointer: error.instancePath, reason: `must be one of: ${allowed}` };
    }
    default:
      // ajv's own messages name limits and patterns from the schema, never the data.
      return { pointer: error.instancePath, reason: error.message ?? `fails ${error.keyword}` };
  }
}
