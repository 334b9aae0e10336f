/** The shipped `openapi.yaml`, parsed once per process and kept as the JSON text `GET /v4/openapi.json` sends. */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

export const OPENAPI_FILE_NAME = 'openapi.yaml';

let cached: string | undefined;

/** The document sits at the application root: look up from `shared/docs` or `dist/shared/docs`. */
export function openApiPath(): string {
  let dir = __dirname;
  for (let level = 0; level < 5; level++) {
    const candidate = path.join(dir, OPENAPI_FILE_NAME);
    if (fs.existsSync(candidate)) return candidate;
    dir = path.dirname(dir);
  }
  throw new Error(`${OPENAPI_FILE_NAME} not found above ${__dirname}: it must ship with the application`);
}

/** The document as compact JSON. It is a shipped file that cannot change while we run. */
export function openApiJson(): string {
  cached ??= JSON.stringify(parse(fs.readFileSync(openApiPath(), 'utf8')));
  return cached;
}
