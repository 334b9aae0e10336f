/**
 * One alert to one channel: the rate-limit slot, then attempts with exponential backoff, then either
 * `sent` or a dead-letter record. Never throws for a delivery failure, so one sink cannot hold back
 * the others.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { AlertsConfig } from '../config/types';
import type { Logger } from '../log';
import { errorMessage } from '../log';
import { DeliveryError, NothingToSend, type AlertChannel } from './channels/channel';
import type { AlertEvent } from './event';
import type { AlertLedger, Claim } from './ledger';

export type DeliveryOutcome = 'sent' | 'dead' | 'rateLimited' | 'skipped';

export interface DeliverDeps {
  cfg: AlertsConfig;
  ledger: AlertLedger;
  log: Logger;
  /** Aborted when the host shuts down: pending backoffs end and the claim is released. */
  signal: AbortSignal;
  /** Removes secrets from text before it is logged or stored. */
  scrub(text: string): string;
}

export async function deliver(
  channel: AlertChannel,
  event: AlertEvent,
  claim: Claim,
  deps: DeliverDeps,
): Promise<DeliveryOutcome> {
  const { cfg, ledger, log } = deps;
  const what = `${event.outcome} alert for task '${event.task.name}' (result ${event.execution.resultId}) via ${channel.id}`;
  if (!(await ledger.takeRateSlot(channel.id, event.task.id, cfg.rateLimitSeconds))) {
    await claim.settle('rateLimited', 0);
    log.info(`alerts: ${what} suppressed by the rate limit (${cfg.rateLimitSeconds} s per task)`);
    return 'rateLimited';
  }
  const { attempts, baseDelayMs, maxDelayMs, timeoutMs } = cfg.retry;
  let lastError = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (deps.signal.aborted) {
      await claim.release();
      return 'skipped';
    }
    try {
      await channel.send(event, AbortSignal.any([deps.signal, AbortSignal.timeout(timeoutMs)]));
      await claim.settle('sent', attempt);
      log.info(`alerts: sent ${what}${attempt > 1 ? ` after ${attempt} attempts` : ''}`);
      return 'sent';
    } catch (err) {
      if (err instanceof NothingToSend) {
        await claim.settle('skipped', attempt);
        log.info(`alerts: ${what} skipped: ${err.message}`);
        return 'skipped';
      }
      if (deps.signal.aborted) {
        // Shutting down: not the sink's fault; free the claim for another host or the next start.
        await claim.release();
        return 'skipped';
      }
      lastError = deps.scrub(errorMessage(err));
      const retryable = !(err instanceof DeliveryError) || err.retryable;
      if (!retryable || attempt === attempts) {
        await ledger.addDeadLetter({
          at: new Date().toISOString(),
          channel: channel.id,
          resultId: event.execution.resultId,
          executionId: event.execution.executionId,
          taskId: event.task.id,
          taskName: event.task.name,
          appId: event.app?.id ?? '',
          appName: event.app?.name ?? '',
          outcome: event.outcome,
          attempts: attempt,
          error: lastError,
        });
        await claim.settle('dead', attempt);
        log.error(`alerts: ${what} failed ${attempt} time(s), dead-lettered: ${lastError}`);
        return 'dead';
      }
      log.warn(`alerts: ${what} attempt ${attempt} failed (${lastError}), retrying`);
      const wait = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
      await delay(wait, undefined, { signal: deps.signal }).catch(() => undefined);
    }
  }
  return 'dead';
}
