/** Records what the process logger (console) writes, so tests can check that no secret is logged. */
export interface ConsoleCapture {
  lines: string[];
  restore(): void;
}

export function captureConsole(): ConsoleCapture {
  const lines: string[] = [];
  const saved = { log: console.log, info: console.info, warn: console.warn, error: console.error };
  for (const name of ['log', 'info', 'warn', 'error'] as const) {
    console[name] = (...args: unknown[]) => {
      lines.push(args.map(String).join(' '));
    };
  }
  return {
    lines,
    restore() {
      Object.assign(console, saved);
    },
  };
}
