/** Which channels an execution alerts on: the channel's outcomes and task selection (or the defaults). */
import type { AlertOutcome, AlertTaskSelection } from '../config/types';
import type { TaskFacts } from './event';

/** Both lists empty: every task. Otherwise any tag or any custom-property value (case-insensitive, as QRS). */
export function taskSelected(task: TaskFacts, selection: AlertTaskSelection): boolean {
  const { tag, customProperty } = selection;
  if (tag.length === 0 && customProperty.length === 0) return true;
  const tags = new Set(task.tags.map((t) => t.toLowerCase()));
  if (tag.some((t) => tags.has(t.toLowerCase()))) return true;
  return customProperty.some((wanted) =>
    task.customProperties.some(
      (cp) =>
        cp.name.toLowerCase() === wanted.name.toLowerCase() &&
        cp.value.toLowerCase() === wanted.value.toLowerCase(),
    ),
  );
}

export interface Selectable {
  outcomes: readonly AlertOutcome[];
  tasks: AlertTaskSelection;
}

export function channelWants(channel: Selectable, outcome: AlertOutcome, task: TaskFacts): boolean {
  return channel.outcomes.includes(outcome) && taskSelected(task, channel.tasks);
}
