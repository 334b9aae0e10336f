/** Records what the process logger (console) writes, so tests can check that no secret is logged. */
export interface ConsoleCapture {
  lines: string[];
  /** Resolves with the first line matching `pattern`, already written or still to come (no polling). */
  whenLogged(pattern: RegExp): Promise<string>;
  restore(): void;
}

export function captureConsole(): ConsoleCapture {
  const lines: string[] = [];
  const watchers = new Set<() => void>();
  const saved = { log: console.log, info: console.info, warn: console.warn, error: console.error };
  for (const name of ['log', 'info', 'warn', 'error'] as const) {
    console[name] = (...args: unknown[]) => {
      lines.push(args.map(String).join(' '));
      for (const watch of [...watchers]) watch();
    };
  }
  return {
    lines,
    whenLogged(pattern) {
      return new Promise((resolve) => {
        const watch = (): void => {
          const line = lines.find((l) => pattern.test(l));
          if (line === undefined) return;
          watchers.delete(watch);
          resolve(line);
        };
        watchers.add(watch);
        watch();
      });
    },
    restore() {
      Object.assign(console, saved);
    },
  };
}
