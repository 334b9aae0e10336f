/**
 * The product host configured against a local HTTP sink (standing in for Slack, New Relic, …), with the
 * host log and the process output captured so tests can check that no secret was printed.
 */
import { captureConsole, type ConsoleCapture } from './console-capture';
import { startHttpSink, type HttpSink } from './http-sink';
import { startProductHost, type ProductHost } from './product-host';

export interface SinkHost {
  sink: HttpSink;
  api: ProductHost;
  hostLog: string[];
  processLog: ConsoleCapture;
  close(): Promise<void>;
}

/** `config` gets the sink's base URL and returns the host's config. */
export async function startSinkHost(config: (sinkUrl: string) => Record<string, unknown>): Promise<SinkHost> {
  const sink = await startHttpSink();
  const hostLog: string[] = [];
  const processLog = captureConsole();
  let api: ProductHost;
  try {
    api = await startProductHost({ log: (line) => hostLog.push(line), config: config(sink.url) });
  } catch (err) {
    processLog.restore();
    await sink.close();
    throw err;
  }
  return {
    sink,
    api,
    hostLog,
    processLog,
    async close() {
      processLog.restore();
      await api.close();
      await sink.close();
    },
  };
}
