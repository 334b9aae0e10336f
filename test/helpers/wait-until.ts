/**
 * Polls `condition` until it holds, a bounded number of times (not a timed assertion: the limit only
 * turns a hang into a clear failure naming what never happened).
 */
export async function waitUntil(
  condition: () => boolean,
  what: string,
  opts: { attempts?: number; everyMs?: number } = {},
): Promise<void> {
  const attempts = opts.attempts ?? 1000;
  for (let i = 0; i < attempts; i++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, opts.everyMs ?? 20));
  }
  if (!condition()) throw new Error(`never happened: ${what}`);
}
