/**
 * `butler.config.schema.json` is generated from the TypeBox schema (`npm run config-schema`): the
 * committed file must be exactly what the generator writes now, and the loader validates against the
 * same document.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { configSchema } from '../../shared/config/validate';
import { PROJECT_ROOT } from '../helpers/product-host';

const GENERATOR = path.join(PROJECT_ROOT, 'dist', 'tools', 'config-schema', 'generate.js');
const SCHEMA_FILE = path.join(PROJECT_ROOT, 'butler.config.schema.json');

test('the committed butler.config.schema.json is the one the TypeBox schema generates', () => {
  const run = spawnSync(process.execPath, [GENERATOR, '--check'], { cwd: PROJECT_ROOT, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
});

test('the loader validates against the document the file holds', () => {
  assert.deepEqual(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')), configSchema());
});
