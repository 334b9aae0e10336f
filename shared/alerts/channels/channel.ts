/** The one interface every alert channel implements, and its error type. */
import type { AlertOutcome, AlertTaskSelection } from '../../config/types';
import type { AlertEvent } from '../event';

export interface AlertChannel {
  /** Stable id: the delivery record's row key and the name in logs (never a URL). */
  readonly id: string;
  readonly outcomes: readonly AlertOutcome[];
  readonly tasks: AlertTaskSelection;
  /** Delivers one alert; throws DeliveryError (or anything else: retried). */
  send(event: AlertEvent, signal: AbortSignal): Promise<void>;
  close?(): Promise<void>;
}

/** A failed delivery. `retryable: false` ends the attempts at once (e.g. the sink refused the message). */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

/** Nothing to deliver (e.g. no e-mail recipient): recorded as skipped, not as a failure. */
export class NothingToSend extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NothingToSend';
  }
}
