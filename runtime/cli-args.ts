/** Flags of `cli.js start`, each with its app-setting equivalent (contract.md). */
export const FLAGS = {
  port: { setting: 'BUTLER_PORT', value: 'N' },
  bind: { setting: 'BUTLER_BIND', value: 'ADDR' },
  cert: { setting: 'BUTLER_TLS_CERT', value: 'FILE' },
  key: { setting: 'BUTLER_TLS_KEY', value: 'FILE' },
  'client-ca': { setting: 'BUTLER_TLS_CLIENT_CA', value: 'FILE' },
  allow: { setting: 'BUTLER_ALLOW', value: 'CIDR[,CIDR...]' },
  'keys-dir': { setting: 'BUTLER_KEYS_DIR', value: 'DIR' },
  config: { setting: 'BUTLER_CONFIG_FILE', value: 'FILE' },
} as const;

export type FlagName = keyof typeof FLAGS;

export const USAGE = [
  'Usage: node dist/runtime/cli.js start [flags]     (or: npm start -- [flags])',
  '',
  'Flags (app setting in brackets; flags win over settings):',
  '  --port N                 listen port; default Host.LocalHttpPort from local.settings.json, else 8080 [BUTLER_PORT]',
  '  --bind ADDR              listen address; default 127.0.0.1 [BUTLER_BIND]',
  '  --cert FILE --key FILE   serve HTTPS with this PEM certificate and key [BUTLER_TLS_CERT, BUTLER_TLS_KEY]',
  '  --client-ca FILE         with HTTPS: require client certificates signed by this CA [BUTLER_TLS_CLIENT_CA]',
  '  --allow CIDR[,CIDR...]   client allow-list; default loopback only [BUTLER_ALLOW]',
  '  --keys-dir DIR           function key directory; default <state.dir>/keys [BUTLER_KEYS_DIR]',
  '  --config FILE            config file [BUTLER_CONFIG_FILE]',
  '  --help                   show this text',
].join('\n');

export class UsageError extends Error {}

export interface ParsedArgs {
  command: 'start' | 'help';
  flags: Partial<Record<FlagName, string>>;
}

function isFlagName(name: string): name is FlagName {
  return Object.prototype.hasOwnProperty.call(FLAGS, name);
}

/** Parses `start --flag value` / `--flag=value`; anything unknown or incomplete is a UsageError. */
export function parseCliArgs(argv: readonly string[]): ParsedArgs {
  const args = [...argv];
  if (args.includes('--help') || args.includes('-h')) return { command: 'help', flags: {} };
  const command = args.shift();
  if (command !== 'start') {
    throw new UsageError(command === undefined ? 'Missing command "start"' : `Unknown command "${command}"`);
  }
  const flags: Partial<Record<FlagName, string>> = {};
  while (args.length > 0) {
    const arg = args.shift() ?? '';
    if (!arg.startsWith('--')) throw new UsageError(`Unexpected argument "${arg}"`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (!isFlagName(name)) throw new UsageError(`Unknown flag "--${name}"`);
    const value = eq < 0 ? args.shift() : arg.slice(eq + 1);
    if (value === undefined || value === '' || (eq < 0 && value.startsWith('--'))) {
      throw new UsageError(`Flag --${name} needs a value (${FLAGS[name].value})`);
    }
    if (flags[name] !== undefined) throw new UsageError(`Flag --${name} given twice`);
    flags[name] = value;
  }
  return { command, flags };
}
