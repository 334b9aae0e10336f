/**
 * `npm run config-schema`: writes `butler.config.schema.json` (for operators' editors) from the TypeBox
 * config schema in shared/config/schema, formatted as Prettier formats it. `--check` writes nothing
 * and exits 1 when the committed file differs (test/config/schema-generated.test.ts runs it).
 */
import path from 'node:path';
import { format, resolveConfig } from 'prettier';
import { configDocument } from '../../shared/config/schema/root';
import { writeOrCheck } from '../generated-file';

const PROJECT_ROOT = path.resolve(__dirname, '../../..');
export const SCHEMA_FILE = path.join(PROJECT_ROOT, 'butler.config.schema.json');

export async function renderConfigSchema(): Promise<string> {
  const options = (await resolveConfig(SCHEMA_FILE)) ?? {};
  // Indented input keeps every object expanded (Prettier keeps an object on several lines when it was).
  return format(JSON.stringify(configDocument(), null, 2), { ...options, filepath: SCHEMA_FILE });
}

async function main(): Promise<void> {
  writeOrCheck(SCHEMA_FILE, await renderConfigSchema(), 'shared/config/schema', 'npm run config-schema');
}

if (require.main === module) void main();
