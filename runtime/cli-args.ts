/**
 * Flags of `cli.js start`. The host's own flags are fixed here; a product profile (cli-profile.ts) names
 * their app-setting equivalents and may add flags of its own.
 */
export interface FlagSpec {
  /** Placeholder of the value in the usage text, e.g. `N` or `FILE`. */
  value: string;
  /** Usage text; empty = listed with another flag's line (`--key` goes with `--cert`). */
  help: string;
  /** App setting that stands in for the flag (flags win over settings). */
  setting?: string;
  /** Left column of the usage line when it is not `--<name> <value>`. */
  usage?: string;
  /** Flags whose settings the usage line lists too. */
  settingsOf?: string[];
}

export type FlagTable = Record<string, FlagSpec>;

/** The flags the host itself understands, without app settings (a profile adds those). */
export const HOST_FLAGS = {
  port: { value: 'N', help: 'listen port; default Host.LocalHttpPort from local.settings.json, else 8080' },
  bind: { value: 'ADDR', help: 'listen address; default 127.0.0.1' },
  cert: {
    value: 'FILE',
    help: 'serve HTTPS with this PEM certificate and key',
    usage: '--cert FILE --key FILE',
    settingsOf: ['cert', 'key'],
  },
  key: { value: 'FILE', help: '' },
  'client-ca': { value: 'FILE', help: 'with HTTPS: require client certificates signed by this CA' },
  allow: { value: 'CIDR[,CIDR...]', help: 'client allow-list; default loopback only' },
  'keys-dir': { value: 'DIR', help: 'function key directory; default a temporary one' },
} satisfies FlagTable;

export type HostFlagName = keyof typeof HOST_FLAGS;

const USAGE_COLUMN = 25;

/** The usage text for a flag table (host flags merged with a profile's). */
export function usageText(flags: FlagTable): string {
  const withSettings = Object.values(flags).some((spec) => spec.setting);
  const lines = [
    'Usage: node dist/runtime/cli.js start [flags]     (or: npm start -- [flags])',
    '',
    withSettings ? 'Flags (app setting in brackets; flags win over settings):' : 'Flags:',
  ];
  for (const [name, spec] of Object.entries(flags)) {
    if (spec.help === '') continue;
    const settings = (spec.settingsOf ?? [name])
      .map((flag) => flags[flag]?.setting)
      .filter((setting): setting is string => Boolean(setting));
    const left = spec.usage ?? `--${name} ${spec.value}`;
    const right = settings.length > 0 ? `${spec.help} [${settings.join(', ')}]` : spec.help;
    lines.push(`  ${left.padEnd(USAGE_COLUMN)}${right}`);
  }
  lines.push(`  ${'--help'.padEnd(USAGE_COLUMN)}show this text`);
  return lines.join('\n');
}

export class UsageError extends Error {}

export interface ParsedArgs {
  command: 'start' | 'help';
  flags: Partial<Record<string, string>>;
}

/** Parses `start --flag value` / `--flag=value`; anything unknown or incomplete is a UsageError. */
export function parseCliArgs(argv: readonly string[], table: FlagTable = HOST_FLAGS): ParsedArgs {
  const args = [...argv];
  if (args.includes('--help') || args.includes('-h')) return { command: 'help', flags: {} };
  const command = args.shift();
  if (command !== 'start') {
    throw new UsageError(command === undefined ? 'Missing command "start"' : `Unknown command "${command}"`);
  }
  const flags: Partial<Record<string, string>> = {};
  while (args.length > 0) {
    const arg = args.shift() ?? '';
    if (!arg.startsWith('--')) throw new UsageError(`Unexpected argument "${arg}"`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const spec = Object.prototype.hasOwnProperty.call(table, name) ? table[name] : undefined;
    if (!spec) throw new UsageError(`Unknown flag "--${name}"`);
    const value = eq < 0 ? args.shift() : arg.slice(eq + 1);
    if (value === undefined || value === '' || (eq < 0 && value.startsWith('--'))) {
      throw new UsageError(`Flag --${name} needs a value (${spec.value})`);
    }
    if (flags[name] !== undefined) throw new UsageError(`Flag --${name} given twice`);
    flags[name] = value;
  }
  return { command, flags };
}
