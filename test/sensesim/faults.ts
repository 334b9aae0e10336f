/** Fault rules: the first matching rule applies, and `times` limits how often it does. */
import { setTimeout as sleep } from 'node:timers/promises';
import type { EngineFault, QrsFault } from './types';

interface Counted<R> {
  rule: R;
  remaining: number;
}

export class FaultList<R extends { times?: number }> {
  private rules: Counted<R>[] = [];

  constructor(private readonly matches: (rule: R, subject: FaultSubjectOf<R>) => boolean) {}

  add(rule: R): void {
    this.rules.push({ rule, remaining: rule.times ?? Number.POSITIVE_INFINITY });
  }

  clear(): void {
    this.rules = [];
  }

  /** Returns (and consumes one use of) the first live rule matching `subject`. */
  take(subject: FaultSubjectOf<R>): R | undefined {
    const hit = this.rules.find((c) => c.remaining > 0 && this.matches(c.rule, subject));
    if (!hit) return undefined;
    hit.remaining -= 1;
    return hit.rule;
  }
}

export interface QrsFaultSubject {
  method: string;
  path: string;
}

export interface EngineFaultSubject {
  method: string;
  appId: string | undefined;
}

type FaultSubjectOf<R> = R extends QrsFault ? QrsFaultSubject : EngineFaultSubject;

export function qrsFaultMatches(rule: QrsFault, s: QrsFaultSubject): boolean {
  if (rule.method !== undefined && rule.method.toUpperCase() !== s.method.toUpperCase()) return false;
  if (typeof rule.path === 'string') return rule.path.toLowerCase() === s.path.toLowerCase();
  rule.path.lastIndex = 0;
  return rule.path.test(s.path);
}

export function engineFaultMatches(rule: EngineFault, s: EngineFaultSubject): boolean {
  if (rule.method.toLowerCase() !== s.method.toLowerCase()) return false;
  return rule.appId === undefined || rule.appId.toLowerCase() === s.appId?.toLowerCase();
}

/**
 * Waits as the rule says: `delayMs`, then until `until` settles. Rejects when the simulator closes
 * (`signal`), so a held answer never outlives it.
 */
export async function holdAnswer(rule: { delayMs?: number; until?: Promise<unknown> }, signal: AbortSignal) {
  if (rule.delayMs) await sleep(rule.delayMs, undefined, { signal });
  const until = rule.until;
  if (!until) return;
  signal.throwIfAborted();
  await new Promise<void>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    const done = (): void => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    };
    until.then(done, done);
  });
}

/** A promise for a fault's `until` and the function that settles it. */
export function gate(): { until: Promise<void>; release: () => void } {
  let release!: () => void;
  const until = new Promise<void>((resolve) => (release = resolve));
  return { until, release };
}
