/** Reads a config file and parses it as YAML (`.yaml`/`.yml`) or JSON (`.json`), by extension. */
import fs from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { isPlainObject } from './coerce';
import { ConfigError } from './errors';
import { JsonSyntaxError, parseJsonStrict } from './json-parse';

/** The file's top-level mapping (an empty file counts as `{}`). Throws ConfigError. */
export function readConfigFile(file: string): Record<string, unknown> {
  const fail = (reason: string): never => {
    throw new ConfigError('', `Config file ${file}: ${reason}`, file);
  };
  const extension = path.extname(file).toLowerCase();
  const isYaml = extension === '.yaml' || extension === '.yml';
  if (!isYaml && extension !== '.json') fail('unsupported extension (use .yaml, .yml or .json)');

  const text = readText(file, fail);
  const data = isYaml ? parseYaml(text, fail) : parseJson(text, fail);
  if (data === null || data === undefined) return {};
  if (!isPlainObject(data)) fail(`the top level must be a ${isYaml ? 'mapping' : 'JSON object'}`);
  return data as Record<string, unknown>;
}

function readText(file: string, fail: (reason: string) => never): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return fail('does not exist');
    if (code === 'EISDIR') return fail('is a directory, not a file');
    return fail(`cannot be read (${code ?? 'unknown error'})`);
  }
}

function parseYaml(text: string, fail: (reason: string) => never): unknown {
  const document = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  const first = document.errors[0];
  if (first) {
    // The library appends a quote of the offending source line: drop it, it may hold a secret.
    const reason = first.message.split(' at line ')[0]?.split('\n')[0] ?? first.code;
    const where = first.linePos ? ` at line ${first.linePos[0].line}, column ${first.linePos[0].col}` : '';
    return fail(`YAML syntax error${where}: ${reason}`);
  }
  try {
    return document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    return fail(`YAML cannot be read: ${(error as Error).message.split('\n')[0] ?? ''}`);
  }
}

function parseJson(text: string, fail: (reason: string) => never): unknown {
  try {
    return parseJsonStrict(text);
  } catch (error) {
    if (!(error instanceof JsonSyntaxError)) throw error;
    return fail(`JSON syntax error at line ${error.line}, column ${error.column}: ${error.reason}`);
  }
}
