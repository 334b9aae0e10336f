/**
 * Process-level log lines (start-up, background work). Per-invocation lines go through
 * `context.log` so the host tags them with the function and invocation id.
 */
export type LogLevel = 'info' | 'warn' | 'error';

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const consoleLogger: Logger = {
  info: (message) => console.log(`[butler] ${message}`),
  warn: (message) => console.warn(`[butler] WARNING: ${message}`),
  error: (message) => console.error(`[butler] ERROR: ${message}`),
};

/** Never writes anything (tests, and clients whose owner passed no logger). */
export const silentLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** The same logger with `prefix` in front of every line (e.g. `sense: `). */
export function prefixedLogger(log: Logger, prefix: string): Logger {
  return {
    info: (message) => log.info(prefix + message),
    warn: (message) => log.warn(prefix + message),
    error: (message) => log.error(prefix + message),
  };
}

/** The message of an unknown thrown value, without a stack. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
