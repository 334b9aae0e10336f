/**
 * `npm run config-schema`: writes `butler.config.schema.json` (for operators' editors) from the TypeBox
 * config schema in shared/config/schema, formatted as Prettier formats it. `--check` writes nothing
 * and exits 1 when the committed file differs (test/config/schema-generated.test.ts runs it).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { format, resolveConfig } from 'prettier';
import { configDocument } from '../../shared/config/schema/root';

const PROJECT_ROOT = path.resolve(__dirname, '../../..');
export const SCHEMA_FILE = path.join(PROJECT_ROOT, 'butler.config.schema.json');

export async function renderConfigSchema(): Promise<string> {
  const options = (await resolveConfig(SCHEMA_FILE)) ?? {};
  // Indented input keeps every object expanded (Prettier keeps an object on several lines when it was).
  return format(JSON.stringify(configDocument(), null, 2), { ...options, filepath: SCHEMA_FILE });
}

async function main(): Promise<void> {
  const text = await renderConfigSchema();
  if (process.argv.includes('--check')) {
    if (readFileSync(SCHEMA_FILE, 'utf8') !== text) {
      process.stderr.write(
        'butler.config.schema.json differs from shared/config/schema: run `npm run config-schema` and commit it\n',
      );
      process.exit(1);
    }
    process.stdout.write('butler.config.schema.json matches shared/config/schema\n');
    return;
  }
  writeFileSync(SCHEMA_FILE, text);
  process.stdout.write(`wrote ${SCHEMA_FILE}\n`);
}

if (require.main === module) void main();
