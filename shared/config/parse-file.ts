/**
 * Reads a config file and parses it as YAML (`.yaml`/`.yml`) or JSON (`.json`), by extension. Both go
 * through the `yaml` library, which reports line and column and rejects duplicate keys (JSON.parse keeps
 * the last one silently and may quote the text). Messages never quote the file: it may hold secrets.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CST, Lexer, parseDocument, type Document } from 'yaml';
import { isPlainObject } from './coerce';
import { ConfigError } from './errors';

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

/** The first error of a parsed document as "at line L, column C: reason", without quoting the file. */
function documentError(document: Document, json: boolean): string | undefined {
  const first = document.errors[0];
  if (!first) return undefined;
  // The library appends the offending source line and quotes unresolved scalars: drop both.
  const text = first.message.split(' at line ')[0]?.split('\n')[0] ?? first.code;
  const jsonWords: Partial<Record<string, string>> = {
    TAG_RESOLVE_FAILED: 'expected a JSON value',
    DUPLICATE_KEY: 'duplicate key',
  };
  const reason = (json ? jsonWords[first.code] : undefined) ?? text.replace(/"[^"]*"/g, '…');
  const where = first.linePos ? ` at line ${first.linePos[0].line}, column ${first.linePos[0].col}` : '';
  return `${where}: ${reason}`;
}

function parseYaml(text: string, fail: (reason: string) => never): unknown {
  const document = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  const problem = documentError(document, false);
  if (problem) return fail(`YAML syntax error${problem}`);
  try {
    return document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    return fail(`YAML cannot be read: ${(error as Error).message.split('\n')[0] ?? ''}`);
  }
}

/** Tokens YAML accepts in JSON-looking text that JSON does not. */
const NOT_JSON: Partial<Record<string, string>> = {
  comment: 'comments are not allowed in JSON',
  'single-quoted-scalar': 'JSON strings need double quotes',
  anchor: 'anchors are not JSON',
  alias: 'aliases are not JSON',
  tag: 'tags are not JSON',
  'directive-line': 'directives are not JSON',
  'doc-start': 'document markers are not JSON',
  'doc-end': 'document markers are not JSON',
  'seq-item-ind': 'expected a JSON value',
  'explicit-key-ind': 'expected a JSON value',
  'block-scalar-header': 'expected a JSON value',
};
/** Lexer tokens that mark a state and take no room in the source. */
const MARKERS = new Set(['\u0002', '\u0018', '\u001f']);

/** Where the text stops being JSON although YAML read it (trailing commas included). */
function firstNonJson(text: string): { offset: number; reason: string } | undefined {
  let offset = 0;
  let afterComma = false;
  for (const token of new Lexer().lex(text)) {
    const type = CST.tokenType(token);
    const reason = type ? NOT_JSON[type] : undefined;
    if (reason) return { offset, reason };
    if (afterComma && (type === 'flow-map-end' || type === 'flow-seq-end')) {
      return { offset, reason: `trailing comma before '${token}'` };
    }
    if (type === 'comma') afterComma = true;
    else if (type !== 'space' && type !== 'newline' && !MARKERS.has(token)) afterComma = false;
    if (!MARKERS.has(token)) offset += token.length;
  }
  return undefined;
}

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  return `line ${before.split('\n').length}, column ${offset - (before.lastIndexOf('\n') + 1) + 1}`;
}

function parseJson(raw: string, fail: (reason: string) => never): unknown {
  const text = raw.replace(/^\uFEFF/, '');
  if (text.trim() === '')
    return fail(`JSON syntax error at ${lineAndColumn(text, text.length)}: unexpected end of file`);
  // The JSON schema makes bare words errors (YAML would read them as strings).
  const problem = documentError(
    parseDocument(text, { schema: 'json', uniqueKeys: true, prettyErrors: true }),
    true,
  );
  if (problem) return fail(`JSON syntax error${problem}`);
  const extra = firstNonJson(text);
  if (extra) return fail(`JSON syntax error at ${lineAndColumn(text, extra.offset)}: ${extra.reason}`);
  try {
    return JSON.parse(text);
  } catch {
    // Not expected after the checks above; JSON.parse's own message may quote the text.
    return fail('JSON syntax error: not valid JSON');
  }
}
