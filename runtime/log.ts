/** One line of host output. The host never passes secrets (keys, private keys) to it. */
export type HostLog = (line: string) => void;

export type LogLevel = 'trace' | 'debug' | 'information' | 'warning' | 'error' | 'critical' | 'none';

const LEVEL_RANK: Record<LogLevel, number> = {
  trace: 0,
  debug: 1,
  information: 2,
  warning: 3,
  error: 4,
  critical: 5,
  none: 6,
};

/** Default sink: timestamped lines on stdout, like the Functions host console. */
export const consoleHostLog: HostLog = (line) => {
  process.stdout.write(`[${new Date().toISOString()}] ${line}\n`);
};

/** Maps host.json `logging.logLevel.default` ("Information", "Debug", ...) to a level; unknown → information. */
export function parseLogLevel(value: unknown): LogLevel {
  if (typeof value !== 'string') return 'information';
  const lower = value.toLowerCase();
  return lower in LEVEL_RANK ? (lower as LogLevel) : 'information';
}

export function isLevelEnabled(level: string, minimum: LogLevel): boolean {
  const rank = LEVEL_RANK[level.toLowerCase() as LogLevel] ?? LEVEL_RANK.information;
  return rank >= LEVEL_RANK[minimum] && LEVEL_RANK[minimum] < LEVEL_RANK.none;
}

/** Formats an error for the log: message and stack, but no enumerable extras that might carry secrets. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.stack ?? `${err.name}: ${err.message}`;
  return String(err);
}
