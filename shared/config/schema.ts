/** Loads the shipped `butler.config.schema.json` and validates config data against it with ajv. */
import fs from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { ConfigError, joinPointer } from './errors';
import type { SchemaNode } from './schema-walk';

export const SCHEMA_FILE_NAME = 'butler.config.schema.json';

/** A schema violation: where, and what is wrong (never the offending value). */
export interface SchemaIssue {
  pointer: string;
  reason: string;
}

interface CompiledSchema {
  root: SchemaNode;
  validate: ValidateFunction;
}

// Compiled once per process: the schema is a shipped file that cannot change while we run.
let compiled: CompiledSchema | undefined;

/**
 * The schema sits at the repository root; this file runs from `shared/config` (sources) or
 * `dist/shared/config` (compiled), so look a few directories up rather than hard-coding one layout.
 */
export function schemaPath(): string {
  let dir = __dirname;
  for (let level = 0; level < 5; level++) {
    const candidate = path.join(dir, SCHEMA_FILE_NAME);
    if (fs.existsSync(candidate)) return candidate;
    dir = path.dirname(dir);
  }
  throw new ConfigError(
    '',
    `${SCHEMA_FILE_NAME} not found above ${__dirname}: it must ship with the application`,
  );
}

function compile(): CompiledSchema {
  if (compiled) return compiled;
  const root = JSON.parse(fs.readFileSync(schemaPath(), 'utf8')) as SchemaNode;
  const ajv = new Ajv({ strict: true, allErrors: false, useDefaults: true, allowUnionTypes: true });
  compiled = { root, validate: ajv.compile(root) };
  return compiled;
}

/** The parsed schema, for walking it (override coercion, redaction). */
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
