/**
 * `npm run import-butler-config -- <butler.yaml> [<schedule.yaml>] [--out DIR] [--force]`
 *
 * Writes DIR/butler.config.yaml (and DIR/butler.schedules.json with POST /v4/schedules bodies), then
 * prints the app settings to set and every Butler setting that was not carried over. Never prints or
 * writes a secret value: secrets become `${env:NAME}` references.
 */
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { loadConfig } from '../../shared/config/load';
import { redactConfig, REDACTED } from '../../shared/config/redact';
import type { ButlerConfig } from '../../shared/config/types';
import { convertButlerConfig, type ConfigImport } from './convert-config';
import { convertButlerSchedules, type SchedulesImport } from './convert-schedules';
import { formatReport } from './report';

const USAGE = 'usage: npm run import-butler-config -- <butler.yaml> [<schedule.yaml>] [--out DIR] [--force]';
export const CONFIG_OUT = 'butler.config.yaml';
export const SCHEDULES_OUT = 'butler.schedules.json';

interface Args {
  butlerFile: string;
  scheduleFile: string | null;
  outDir: string;
  force: boolean;
}

class UsageError extends Error {}

/** `npm run` starts scripts in the package folder; paths the user typed are relative to where they typed them. */
function userPath(p: string): string {
  return path.resolve(process.env.INIT_CWD ?? process.cwd(), p);
}

function parseArgs(argv: string[]): Args {
  const positional: string[] = [];
  let outDir = process.cwd();
  let force = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--force') force = true;
    else if (arg === '--out') {
      const next = argv[++i];
      if (!next) throw new UsageError('--out needs a directory');
      outDir = userPath(next);
    } else if (arg.startsWith('--')) throw new UsageError(`unknown option ${arg}`);
    else positional.push(arg);
  }
  if (positional.length < 1 || positional.length > 2)
    throw new UsageError('give the Butler config file and, optionally, its schedule file');
  return {
    butlerFile: userPath(positional[0]!),
    scheduleFile: positional[1] ? userPath(positional[1]) : null,
    outDir,
    force,
  };
}

function readYaml(file: string): unknown {
  return parse(readFileSync(file, 'utf8'), { merge: true }) as unknown;
}

/** Every value the schema marks secret must be an `${env:}` reference: checked before anything is written. */
function assertNoSecretValues(config: Record<string, unknown>): void {
  const redacted = redactConfig(config as unknown as ButlerConfig);
  const walk = (plain: unknown, hidden: unknown, where: string) => {
    if (hidden === REDACTED) {
      if (typeof plain !== 'string' || !/^\$\{env:[^}]+\}$/.test(plain))
        throw new Error(`internal error: ${where} would hold a secret value`);
      return;
    }
    if (plain && typeof plain === 'object' && hidden && typeof hidden === 'object') {
      for (const [key, value] of Object.entries(plain))
        walk(value, (hidden as Record<string, unknown>)[key], `${where}/${key}`);
    }
  };
  walk(config, redacted, '');
}

/** Loads the new config as the host would, with a stand-in value for every app setting it references. */
function validate(text: string, imported: ConfigImport): void {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'butler-import-'));
  try {
    const file = path.join(dir, CONFIG_OUT);
    writeFileSync(file, text);
    const env: NodeJS.ProcessEnv = { BUTLER_CONFIG_FILE: file };
    for (const s of imported.appSettings) if (s.secret) env[s.name] = 'https://stand-in.invalid/';
    loadConfig({ env });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Write beside the target, then rename: a failure never leaves half a file. */
function writeAtomically(file: string, text: string, force: boolean): void {
  if (existsSync(file) && !force) throw new Error(`${file} exists: pass --force to replace it`);
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, text, { mode: 0o600 });
  try {
    renameSync(temp, file);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
}

export function run(argv: string[], log: (line: string) => void): number {
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    log(`import-butler-config: ${err.message}\n${USAGE}`);
    return 2;
  }
  try {
    const imported = convertButlerConfig(readYaml(args.butlerFile));
    const schedules: SchedulesImport | null = args.scheduleFile
      ? convertButlerSchedules(readYaml(args.scheduleFile))
      : null;
    assertNoSecretValues(imported.config);
    const header = `# Imported from Butler config ${path.basename(args.butlerFile)} by npm run import-butler-config.\n# Secrets are \${env:NAME} references: set those app settings (see the import report).\n`;
    const text = header + stringify(imported.config);
    validate(text, imported);

    const configOut = path.join(args.outDir, CONFIG_OUT);
    const schedulesOut = path.join(args.outDir, SCHEDULES_OUT);
    if (!args.force) {
      for (const file of schedules ? [configOut, schedulesOut] : [configOut]) {
        if (existsSync(file)) throw new Error(`${file} exists: pass --force to replace it`);
      }
    }
    writeAtomically(configOut, text, args.force);
    if (schedules)
      writeAtomically(schedulesOut, `${JSON.stringify(schedules.schedules, null, 2)}\n`, args.force);
    log(
      formatReport({ args, configOut, schedulesOut: schedules ? schedulesOut : null, imported, schedules }),
    );
    return 0;
  } catch (err) {
    // Messages name files and settings only: the converter never puts a value into an error.
    log(`import-butler-config: ${(err as Error).message}`);
    return 1;
  }
}

if (require.main === module) {
  process.exitCode = run(process.argv.slice(2), (line) => process.stdout.write(`${line}\n`));
}
