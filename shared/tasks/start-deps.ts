/** What a task start needs from the running services: one definition for every way a start arrives. */
import { isEndpointEnabled } from '../http/enabled';
import type { Services } from '../services';
import { startFilter } from './start-filter';
import type { StartDeps } from './start-tasks';

export function taskStartDeps(services: Pick<Services, 'config' | 'kv' | 'sense' | 'taskNames'>): StartDeps {
  return {
    qrs: () => services.sense().qrs,
    kv: services.kv,
    filter: startFilter(services.config.api.startTaskFilter),
    kvEnabled: isEndpointEnabled(services.config.api.endpoints, 'keyValueStore'),
    names: services.taskNames,
  };
}
