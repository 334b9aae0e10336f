/**
 * The alert timer's NCRONTAB schedule for a period in seconds: the longest even division of a minute
 * (or hour) not above it, so the timer fires at least as often as asked. The service itself decides
 * on each tick whether re-subscribing or the backstop is due.
 */
const DIVISORS_OF_60 = [1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30];

function largestDivisor(limit: number): number {
  return DIVISORS_OF_60.filter((d) => d <= limit).at(-1) ?? 1;
}

export function tickSchedule(periodSeconds: number): string {
  if (periodSeconds < 60) return `*/${largestDivisor(periodSeconds)} * * * * *`;
  const minutes = Math.floor(periodSeconds / 60);
  if (minutes < 60) return `0 */${largestDivisor(minutes)} * * * *`;
  return '0 0 * * * *';
}
