/**
 * The shared ending of the generators (`npm run openapi`, `npm run config-schema`): write the file, or
 * with `--check` write nothing and exit 1 when the committed file differs from what was generated.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export function writeOrCheck(file: string, text: string, source: string, command: string): void {
  const name = path.basename(file);
  if (process.argv.includes('--check')) {
    if (readFileSync(file, 'utf8') !== text) {
      process.stderr.write(`${name} differs from ${source}: run \`${command}\` and commit it\n`);
      process.exit(1);
    }
    process.stdout.write(`${name} matches ${source}\n`);
    return;
  }
  writeFileSync(file, text);
  process.stdout.write(`wrote ${file}\n`);
}
