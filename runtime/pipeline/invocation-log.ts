import { FunctionTimeoutError, formatTimeSpan } from '../invoke';
import { describeError, type HostLog, type LogLevels } from '../log';

/** Per level table and function: whether `Function.<name>` logs Information (found once). */
const infoByFunction = new WeakMap<LogLevels, Map<string, boolean>>();

function infoEnabled(levels: LogLevels, functionName: string): boolean {
  let known = infoByFunction.get(levels);
  if (!known) {
    known = new Map();
    infoByFunction.set(levels, known);
  }
  let enabled = known.get(functionName);
  if (enabled === undefined) {
    enabled = levels.enabled(`Function.${functionName}`, 'information');
    known.set(functionName, enabled);
  }
  return enabled;
}

/**
 * The host's Executing/Executed lines for one HTTP invocation (same wording in stream and buffered mode),
 * in category `Function.<name>` as on the real host: Information for Executing/Executed, Error for a
 * failure, so host.json can keep the success lines out (`"Function": "Warning"`).
 */
export class HttpInvocationLog {
  readonly #started = Date.now();
  readonly #info: boolean;

  constructor(
    private readonly log: HostLog,
    levels: LogLevels,
    private readonly functionName: string,
    private readonly invocationId: string,
  ) {
    this.#info = infoEnabled(levels, functionName);
    if (!this.#info) return;
    log(
      `Executing 'Functions.${functionName}' (Reason='This function was programmatically called via the host APIs.', Id=${invocationId})`,
    );
  }

  succeeded(): void {
    if (!this.#info) return;
    this.log(
      `Executed 'Functions.${this.functionName}' (Succeeded, Id=${this.invocationId}, Duration=${this.#elapsed()}ms)`,
    );
  }

  failed(err: unknown): void {
    if (err instanceof FunctionTimeoutError) {
      this.log(
        `ERROR: Timeout value of ${formatTimeSpan(err.timeoutMs)} exceeded by function 'Functions.${this.functionName}' ` +
          `(Id: '${this.invocationId}'). The embedded host answered 500 but cannot stop the handler, ` +
          `which keeps running (the real host would restart the worker process).`,
      );
      return;
    }
    this.log(
      `Executed 'Functions.${this.functionName}' (Failed, Id=${this.invocationId}, Duration=${this.#elapsed()}ms): ` +
        describeError(err),
    );
  }

  /** A problem that is not the handler's outcome, e.g. a response that cannot be sent. */
  problem(message: string): void {
    this.log(`Functions.${this.functionName} (Id=${this.invocationId}) ${message}`);
  }

  #elapsed(): number {
    return Date.now() - this.#started;
  }
}
