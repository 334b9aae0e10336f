/**
 * Why a Butler setting has no counterpart here, by the longest matching path prefix. Anything not
 * listed is reported as "no counterpart in Butler Functions".
 */
const REASONS: [prefix: string, reason: string][] = [
  ['logLevel', 'logging is the Functions host\'s: host.json "logging.logLevel"'],
  ['fileLogging', "logging is the Functions host's (console or Application Insights)"],
  ['logDirectory', "logging is the Functions host's (console or Application Insights)"],
  ['anonTelemetry', 'Butler Functions sends no anonymous telemetry'],
  ['systemInfo', 'Butler Functions collects no system information'],
  ['configVisualisation', 'no config web page; GET /v4/docs documents the API'],
  ['heartbeat', 'no outbound heartbeat; monitor GET /admin/host/ping instead'],
  ['dockerHealthCheck', 'liveness is GET /admin/host/ping on the API port'],
  ['uptimeMonitor', "no uptime monitor; use the host's logs or Application Insights"],
  ['thirdPartyToolsCredentials', 'only New Relic accounts are used here'],
  ['influxDb', 'InfluxDB metrics are not part of Butler Functions'],
  ['scriptLog', 'reload alerts (alerts section) read script logs themselves'],
  ['qlikSenseUrls', 'not part of Butler Functions'],
  ['genericUrls', 'not part of Butler Functions'],
  ['qlikSenseVersion', 'version monitoring is not part of Butler Functions'],
  ['qlikSenseLicense', 'license monitoring is not part of Butler Functions'],
  ['teamsNotification', 'reload alerts: configure the alerts section by hand (docs)'],
  ['emailNotification', 'reload alerts: configure the alerts section by hand (docs)'],
  ['webhookNotification', 'reload alerts: configure the alerts section by hand (docs)'],
  ['incidentTool', 'incident tools are not part of Butler Functions'],
  ['slackNotification.reloadTaskFailure', 'reload alerts: configure alerts.channels.slack by hand (docs)'],
  ['slackNotification.reloadTaskAborted', 'reload alerts: configure alerts.channels.slack by hand (docs)'],
  ['slackNotification.serviceStopped', 'Windows service monitoring is not part of Butler Functions'],
  ['slackNotification.serviceStarted', 'Windows service monitoring is not part of Butler Functions'],
  ['slackNotification.enable', 'only the REST message webhook is used; it needs no switch'],
  ['mqttConfig.subscriptionRootTopic', 'only mqtt.taskStartTopic is subscribed to'],
  ['mqttConfig.taskFailure', 'reload alerts: configure alerts.channels.mqtt by hand (docs)'],
  ['mqttConfig.taskAborted', 'reload alerts: configure alerts.channels.mqtt by hand (docs)'],
  ['mqttConfig.service', 'Windows service monitoring is not part of Butler Functions'],
  ['mqttConfig.qlikSenseServerLicense', 'license monitoring is not part of Butler Functions'],
  ['mqttConfig.qlikSenseCloud', 'Qlik Cloud forwarding is not part of Butler Functions'],
  ['udpServerConfig', 'no UDP listener: reload alerts come from QRS (alerts section)'],
  ['restServerConfig.backgroundServerPort', 'no internal listener: one port serves the API'],
  ['restServerConfig.tls.ca', 'append intermediate certificates to the file in BUTLER_TLS_CERT'],
  ['restServerApiDocGenerate', 'the API document is served at GET /v4/openapi.json'],
  [
    'restServerEndpointsConfig.newRelic.postNewRelicMetric.destinationAccount',
    'every newRelic account receives every metric',
  ],
  [
    'restServerEndpointsConfig.newRelic.postNewRelicEvent.destinationAccount',
    'every newRelic account receives every event',
  ],
  ['serviceMonitor', 'Windows service monitoring is not part of Butler Functions'],
  ['qlikSenseCloud', 'Qlik Cloud is not part of Butler Functions'],
  ['configEngine.engineVersion', 'not needed: the Engine API version is negotiated'],
  ['configEngine.headers', 'only X-Qlik-User is sent; it comes from configQRS.headers'],
  ['configEngine.useSSL', 'Sense is always reached over TLS'],
  [
    'configEngine.rejectUnauthorized',
    'one sense.rejectUnauthorized covers QRS and Engine (taken from configQRS)',
  ],
  ['configQRS.useSSL', 'Sense is always reached over TLS'],
  ['configQRS.headers', 'only X-Qlik-User is sent'],
  ['configQRS.authentication', 'certificate authentication only'],
  ['keyValueStore.enable', 'no such switch: api.endpoints.keyValueStore turns the endpoints on or off'],
  ['scheduler.enable', 'no such switch: api.endpoints.scheduler turns the endpoints on or off'],
];

/** The group a setting is reported under: the longest listed prefix it starts with, or the setting itself. */
export function groupFor(path: string): string {
  let best = '';
  for (const [prefix] of REASONS) {
    if (path.startsWith(prefix) && prefix.length > best.length) best = prefix;
  }
  return best || path;
}

export function reasonFor(path: string): string {
  const group = groupFor(path);
  return REASONS.find(([prefix]) => prefix === group)?.[1] ?? 'no counterpart in Butler Functions';
}
