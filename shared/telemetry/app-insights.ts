/**
 * The Application Insights side of shared/telemetry (required only with a connection string). Requests
 * and console output are left to the Functions host, which records them already (collecting them here
 * too would count every request twice); live metrics and on-disk retry are off.
 */
import * as appInsights from 'applicationinsights';
import type { DependencyCall, Telemetry } from './index';

export function startAppInsights(connectionString: string): Telemetry {
  appInsights
    .setup(connectionString)
    .setAutoCollectRequests(false)
    .setAutoCollectConsole(false)
    .setSendLiveMetrics(false)
    .setUseDiskRetryCaching(false)
    .start();
  const client = appInsights.defaultClient;
  return {
    enabled: true,
    trackDependency(call: DependencyCall) {
      const url = new URL(call.url);
      client.trackDependency({
        // The SDK maps an "HTTP" dependency with a method and URL to name `<method> <path>`, data, target
        // and result code; the Engine's WebSocket is HTTP underneath and its RPC method stands in.
        dependencyTypeName: 'HTTP',
        name: `${call.method} ${url.pathname}`,
        data: call.url,
        target: url.host,
        duration: call.durationMs,
        success: call.success,
        resultCode: call.resultCode,
        properties: { 'http.request.method': call.method, service: call.service },
      });
    },
    async flush() {
      try {
        await client.flush();
      } catch {
        // Unsent telemetry is not worth failing a shutdown for.
      }
    },
  };
}
