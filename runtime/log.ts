import { writeSync } from 'node:fs';

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

/** Lines waiting for the next flush beyond this many bytes are dropped (and counted), so memory stays bounded. */
const MAX_PENDING_BYTES = 1024 * 1024;

/** A batch goes out this long after its first line at the latest, or at once when this large. */
const FLUSH_DELAY_MS = 50;
const FLUSH_BYTES = 64 * 1024;

/**
 * Collects lines and writes them together (50 ms after the first, or as soon as 64 KiB wait), so a
 * request never pays for a write of its own: stdout to a file or pipe is a synchronous write in Node,
 * and a system call costs more than the line. What is pending at exit is written synchronously then.
 */
export class BatchedLineWriter {
  #pending: string[] = [];
  #pendingBytes = 0;
  #dropped = 0;
  #scheduled = false;
  #timer: NodeJS.Timeout | undefined;
  #lastMs = 0;
  #lastStamp = '';

  constructor(private readonly write: (text: string) => void) {}

  /** `[ISO time] line`; the time string is reused within one millisecond. */
  line(text: string): void {
    const now = Date.now();
    if (now !== this.#lastMs) {
      this.#lastMs = now;
      this.#lastStamp = new Date(now).toISOString();
    }
    const entry = `[${this.#lastStamp}] ${text}\n`;
    if (this.#pendingBytes + entry.length > MAX_PENDING_BYTES) {
      this.#dropped++;
      return;
    }
    this.#pending.push(entry);
    this.#pendingBytes += entry.length;
    if (this.#pendingBytes >= FLUSH_BYTES) {
      // Plenty to write: on the next turn, whatever the timer says.
      if (this.#timer) clearTimeout(this.#timer);
      this.#timer = undefined;
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.flush());
      }
    } else if (!this.#timer && !this.#scheduled) {
      this.#timer = setTimeout(() => this.flush(), FLUSH_DELAY_MS);
      this.#timer.unref();
    }
  }

  /** Writes what is pending now (through `write` when given, e.g. a synchronous write at exit). */
  flush(write: (text: string) => void = this.write): void {
    this.#scheduled = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending.length === 0 && this.#dropped === 0) return;
    let text = this.#pending.join('');
    if (this.#dropped > 0) {
      text += `[${new Date().toISOString()}] ${this.#dropped} log line(s) dropped: the output did not keep up\n`;
      this.#dropped = 0;
    }
    this.#pending = [];
    this.#pendingBytes = 0;
    write(text);
  }
}

const stdoutWriter = new BatchedLineWriter((text) => process.stdout.write(text));
process.once('exit', () => {
  // The event loop is gone: whatever is pending goes out synchronously.
  stdoutWriter.flush((text) => {
    try {
      writeSync(1, text);
    } catch {
      // stdout already closed
    }
  });
});

/** Default sink: timestamped lines on stdout, like the Functions host console, written in batches. */
export const consoleHostLog: HostLog = (line) => stdoutWriter.line(line);

/** Writes the pending console lines now (before output written directly, to keep the order). */
export function flushConsoleHostLog(): void {
  stdoutWriter.flush();
}

/** Maps a host.json level name ("Information", "Debug", ...) to a level; unknown → information. */
export function parseLogLevel(value: unknown): LogLevel {
  if (typeof value !== 'string') return 'information';
  const lower = value.toLowerCase();
  return lower in LEVEL_RANK ? (lower as LogLevel) : 'information';
}

export function isLevelEnabled(level: string, minimum: LogLevel): boolean {
  const rank = LEVEL_RANK[level.toLowerCase() as LogLevel] ?? LEVEL_RANK.information;
  return rank >= LEVEL_RANK[minimum] && LEVEL_RANK[minimum] < LEVEL_RANK.none;
}

interface CategoryRule {
  prefix: string;
  suffix: string;
  length: number;
  level: LogLevel;
}

/**
 * host.json `logging.logLevel`: a level per category with `default` as the fallback. As in .NET's
 * logging filter, the rule with the longest matching category name wins; a name matches a category
 * it starts (or equals), and may hold one `*` wildcard (`Function.*.User`). Names compare
 * case-insensitively. The host writes `Function.<name>` (Executing/Executed) and
 * `Function.<name>.User` (the function's own `context.log`), like the real host.
 */
export class LogLevels {
  readonly #rules: CategoryRule[] = [];
  readonly #cache = new Map<string, LogLevel>();
  readonly defaultLevel: LogLevel;

  constructor(raw: unknown) {
    let fallback: LogLevel = 'information';
    if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
      for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
        const level = parseLogLevel(value);
        if (name.toLowerCase() === 'default') {
          fallback = level;
          continue;
        }
        const lower = name.toLowerCase();
        const star = lower.indexOf('*');
        const prefix = star < 0 ? lower : lower.slice(0, star);
        const suffix = star < 0 ? '' : lower.slice(star + 1);
        this.#rules.push({ prefix, suffix, length: prefix.length + suffix.length, level });
      }
    } else if (typeof raw === 'string') {
      fallback = parseLogLevel(raw);
    }
    this.defaultLevel = fallback;
  }

  /** The minimum level for a category (cached: categories are per function, a bounded set). */
  levelFor(category: string): LogLevel {
    const cached = this.#cache.get(category);
    if (cached) return cached;
    const lower = category.toLowerCase();
    let best: CategoryRule | undefined;
    for (const rule of this.#rules) {
      const matches =
        rule.suffix === ''
          ? lower.startsWith(rule.prefix)
          : lower.length >= rule.length && lower.startsWith(rule.prefix) && lower.endsWith(rule.suffix);
      if (matches && (!best || rule.length > best.length)) best = rule;
    }
    const level = best?.level ?? this.defaultLevel;
    if (this.#cache.size < 10_000) this.#cache.set(category, level);
    return level;
  }

  enabled(category: string, level: string): boolean {
    return isLevelEnabled(level, this.levelFor(category));
  }
}

/** Formats an error for the log: message and stack, but no enumerable extras that might carry secrets. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.stack ?? `${err.name}: ${err.message}`;
  return String(err);
}

/**
 * At most `perWindow` lines per `windowMs` for one kind of event (e.g. refused connections); the rest
 * are counted and summarised in the next line that is let through.
 */
export class RateLimitedLog {
  #windowStart = 0;
  #inWindow = 0;
  #suppressed = 0;

  constructor(
    private readonly log: HostLog,
    private readonly perWindow = 10,
    private readonly windowMs = 10_000,
  ) {}

  line(text: string): void {
    const now = Date.now();
    if (now - this.#windowStart >= this.windowMs) {
      this.#windowStart = now;
      this.#inWindow = 0;
    }
    if (this.#inWindow >= this.perWindow) {
      this.#suppressed++;
      return;
    }
    this.#inWindow++;
    const note =
      this.#suppressed > 0 ? ` (${this.#suppressed} similar line(s) suppressed before this one)` : '';
    this.#suppressed = 0;
    this.log(text + note);
  }
}
