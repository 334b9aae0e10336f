/**
 * Telemetry for calls this app makes to other systems (Application Insights dependencies). The SDK is
 * heavy (seconds to load) and probes the network once started, so it is loaded only when the app setting
 * APPLICATIONINSIGHTS_CONNECTION_STRING is set; otherwise every call is a no-op and nothing is loaded or
 * sent. Requests and logs are the Functions host's to record (docs/telemetry.md).
 */
import { errorMessage, type Logger } from '../log';

export const CONNECTION_STRING_SETTING = 'APPLICATIONINSIGHTS_CONNECTION_STRING';

/** One call to another system. Names, targets and data never carry query strings, keys or bodies. */
export interface DependencyCall {
  /** Which system: shown as a custom property, e.g. "QRS" or "Engine". */
  service: string;
  /** The verb: an HTTP method, or a JSON-RPC method for the Engine. */
  method: string;
  /** Address of the call without its query, e.g. `https://sense:4242/qrs/task`. */
  url: string;
  durationMs: number;
  success: boolean;
  /** HTTP status, Engine error code, or a short failure code (`UPSTREAM_TIMEOUT`, `ECONNREFUSED`). */
  resultCode: string;
}

export interface Telemetry {
  readonly enabled: boolean;
  trackDependency(call: DependencyCall): void;
  /** Sends what is queued; never throws. */
  flush(): Promise<void>;
}

export const noTelemetry: Telemetry = {
  enabled: false,
  trackDependency: () => undefined,
  flush: () => Promise.resolve(),
};

let processTelemetry: Telemetry | undefined;

/**
 * The process's telemetry, set up on first use from the environment. The SDK is process-wide (it
 * registers global providers), so there is one per process whatever the number of host starts.
 */
export function getTelemetry(env: NodeJS.ProcessEnv = process.env, log?: Logger): Telemetry {
  if (processTelemetry) return processTelemetry;
  const connectionString = env[CONNECTION_STRING_SETTING]?.trim();
  if (!connectionString) {
    processTelemetry = noTelemetry;
    return processTelemetry;
  }
  try {
    // Lazy on purpose: the SDK module is required only when there is somewhere to send to.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { startAppInsights } = require('./app-insights') as typeof import('./app-insights');
    processTelemetry = startAppInsights(connectionString);
  } catch (err) {
    // Telemetry must never stop the app; say why it is off (the connection string is not printed).
    log?.warn(`Application Insights could not be started: ${errorMessage(err)}`);
    processTelemetry = noTelemetry;
  }
  return processTelemetry;
}
