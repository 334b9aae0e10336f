/** The flattened endpoint flags, in Butler's order (what GET /v4/configfile/endpointsenabled lists). */
import type { ButlerConfig, EndpointName } from './types';

export const ENDPOINT_NAMES: readonly EndpointName[] = Object.freeze([
  'apiListEnabledEndpoints',
  'base62ToBase16',
  'base16ToBase62',
  'butlerping',
  'createDir',
  'createDirQVD',
  'fileDelete',
  'fileMove',
  'fileCopy',
  'keyValueStore',
  'mqttPublishMessage',
  'postNewRelicMetric',
  'postNewRelicEvent',
  'createNewSchedule',
  'getSchedule',
  'getScheduleStatusAll',
  'updateSchedule',
  'deleteSchedule',
  'startSchedule',
  'stopSchedule',
  'senseAppReload',
  'senseAppDump',
  'senseListApps',
  'senseStartTask',
  'slackPostMessage',
]);

/** Leaf names whose flag is true, in Butler's order (nested newRelic/scheduler flags flattened). */
export function enabledEndpointNames(config: ButlerConfig): string[] {
  const { newRelic, scheduler, ...topLevel } = config.api.endpoints;
  const flat: Record<EndpointName, boolean> = { ...topLevel, ...newRelic, ...scheduler };
  return ENDPOINT_NAMES.filter((name) => flat[name]);
}
