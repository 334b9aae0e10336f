/** Reads one leaf of the nested `api.endpoints` tree by its Butler name. */
import type { EndpointFlags, EndpointName } from '../config/types';

export function isEndpointEnabled(flags: EndpointFlags, name: EndpointName): boolean {
  if (name in flags.newRelic) return flags.newRelic[name as keyof EndpointFlags['newRelic']];
  if (name in flags.scheduler) return flags.scheduler[name as keyof EndpointFlags['scheduler']];
  return flags[name as keyof Omit<EndpointFlags, 'newRelic' | 'scheduler'>];
}
