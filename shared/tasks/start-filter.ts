/** `api.startTaskFilter`: which tasks callers may start, per selection type (docs/butler-compatibility.md §7). */
import type { ButlerConfig } from '../config/types';

export interface StartFilter {
  /** False when `api.startTaskFilter.enable` is off: every selection is allowed. */
  readonly enabled: boolean;
  allowsTaskId(taskId: string): boolean;
  allowsTag(tag: string): boolean;
  allowsCustomProperty(name: string, value: string): boolean;
}

export function startFilter(config: ButlerConfig['api']['startTaskFilter']): StartFilter {
  if (!config.enable) {
    return {
      enabled: false,
      allowsTaskId: () => true,
      allowsTag: () => true,
      allowsCustomProperty: () => true,
    };
  }
  const ids = new Set(config.allowTask.taskId.map((id) => id.toLowerCase()));
  const tags = new Set(config.allowTask.tag);
  const pairs = config.allowTask.customProperty;
  return {
    enabled: true,
    allowsTaskId: (taskId) => ids.has(taskId.toLowerCase()),
    allowsTag: (tag) => tags.has(tag),
    allowsCustomProperty: (name, value) => pairs.some((p) => p.name === name && p.value === value),
  };
}
