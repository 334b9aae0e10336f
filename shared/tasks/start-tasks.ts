/**
 * Task start (docs/butler-compatibility.md §7): resolve every selection through QRS first (so an unreachable Sense
 * fails the whole request before anything changes), write key-value items, then start each selected
 * task once and await QRS's answer, reporting every task's real outcome.
 */
import type { KeyValueService } from '../kv/key-value-service';
import type { TaskRef } from '../sense/qrs';
import { isGuid } from '../guid';
import type { StartFilter } from './start-filter';
import type { TaskDirectory } from './task-directory';
import type { TaskNameCache } from './task-name-cache';
import { ttlMs, type StartItem } from './start-request';
import type { StartReport, StartedTask, Via } from './start-report';
import { mapLimit } from '../concurrency/map-limit';
import { startOne } from './start-one';

export type { StartReport } from './start-report';

export interface StartRequest {
  /** The path's task id, or '-' for "body only". */
  pathTaskId: string;
  items: StartItem[];
  allTaskIdsMustExist: boolean;
}

export interface StartDeps {
  /** Called only when something must be looked up or started, so KV-only requests work without Sense. */
  qrs: () => TaskDirectory;
  kv: Pick<KeyValueService, 'setMany'>;
  /** Compiled once per host start from `api.startTaskFilter`. */
  filter: StartFilter;
  /** Whether `api.endpoints.keyValueStore` allows writes (Butler skips KV items otherwise). */
  kvEnabled: boolean;
  concurrency?: number;
  /** Recently looked-up tasks: lets a start of known ids skip the lookup (shared/tasks/task-name-cache.ts). */
  names?: TaskNameCache;
}

function uniqueBy<T>(values: T[], key: (v: T) => string): T[] {
  const seen = new Set<string>();
  return values.filter((v) => (seen.has(key(v)) ? false : (seen.add(key(v)), true)));
}

export async function startTasks(request: StartRequest, deps: StartDeps): Promise<StartReport> {
  const report: StartReport = {
    tasksId: { started: [], invalid: [], denied: [] },
    tasksTag: [],
    tasksTagDenied: [],
    tasksCP: [],
    tasksCPDenied: [],
    tasksFailed: [],
  };

  // 1. Sort the selections: malformed ids and filter denials never reach QRS.
  const requestedIds: string[] = [];
  const tags: string[] = [];
  const pairs: { name: string; value: string }[] = [];
  const kvItems: Extract<StartItem, { type: 'keyvaluestore' }>['payload'][] = [];
  if (request.pathTaskId !== '-') requestedIds.push(request.pathTaskId);
  for (const item of request.items) {
    if (item.type === 'starttaskid') requestedIds.push(item.payload.taskId);
    else if (item.type === 'starttasktag') tags.push(item.payload.tag);
    else if (item.type === 'starttaskcustomproperty')
      pairs.push({ name: item.payload.customPropertyName, value: item.payload.customPropertyValue });
    else kvItems.push(item.payload);
  }

  const candidateIds: string[] = [];
  for (const id of uniqueBy(requestedIds, (v) => v.toLowerCase())) {
    if (!isGuid(id)) report.tasksId.invalid.push({ taskId: id });
    else if (!deps.filter.allowsTaskId(id)) report.tasksId.denied.push({ taskId: id });
    else candidateIds.push(id);
  }
  const allowedTags: string[] = [];
  for (const tag of uniqueBy(tags, (t) => t)) {
    if (deps.filter.allowsTag(tag)) allowedTags.push(tag);
    else report.tasksTagDenied.push({ tag });
  }
  const allowedPairs: { name: string; value: string }[] = [];
  for (const pair of uniqueBy(pairs, (p) => `${p.name}\u0000${p.value}`)) {
    if (deps.filter.allowsCustomProperty(pair.name, pair.value)) allowedPairs.push(pair);
    else report.tasksCPDenied.push(pair);
  }

  // 2. Look everything up before changing anything. Only ids, none that must be proven to exist, all
  //    seen in a recent lookup: the start itself tells whether each still exists (step 4).
  let byId: TaskRef[] = [];
  let byTag: TaskRef[] = [];
  let byCp: TaskRef[] = [];
  const remembered = knownTasks(request, candidateIds, allowedTags.length + allowedPairs.length, deps.names);
  if (remembered) byId = remembered;
  else if (candidateIds.length + allowedTags.length + allowedPairs.length > 0) {
    const qrs = deps.qrs();
    [byId, byTag, byCp] = await Promise.all([
      candidateIds.length ? qrs.tasksByIds(candidateIds) : Promise.resolve([]),
      allowedTags.length ? qrs.tasksByTags(allowedTags) : Promise.resolve([]),
      allowedPairs.length ? qrs.tasksByCustomProperties(allowedPairs) : Promise.resolve([]),
    ]);
    deps.names?.remember([...byId, ...byTag, ...byCp]);
  }
  const found = new Map(byId.map((t) => [t.id.toLowerCase(), t]));
  const idTasks: TaskRef[] = [];
  const requestedAs = new Map<string, string>();
  for (const id of candidateIds) {
    const task = found.get(id.toLowerCase());
    if (!task) report.tasksId.invalid.push({ taskId: id });
    else {
      idTasks.push(task);
      requestedAs.set(task.id.toLowerCase(), id);
    }
  }
  if (request.allTaskIdsMustExist && report.tasksId.invalid.length > 0) {
    for (const task of idTasks) report.tasksId.denied.push({ taskId: task.id });
    idTasks.length = 0;
  }

  // 3. Key-value items first, so the reloads we start can read them.
  if (deps.kvEnabled && kvItems.length > 0) {
    // All items are checked against the limits before the first is written: a refusal stores nothing.
    await deps.kv.setMany(
      kvItems.map((kv) => ({ namespace: kv.namespace, key: kv.key, value: kv.value, ttlMs: ttlMs(kv.ttl) })),
    );
  }

  // 4. Start each task once, however many selections named it.
  const selections: { via: Via; tasks: TaskRef[]; into: StartedTask[] }[] = [
    { via: 'id', tasks: idTasks, into: report.tasksId.started },
    { via: 'tag', tasks: uniqueBy(byTag, (t) => t.id.toLowerCase()), into: report.tasksTag },
    { via: 'customProperty', tasks: uniqueBy(byCp, (t) => t.id.toLowerCase()), into: report.tasksCP },
  ];
  const toStart = uniqueBy(
    selections.flatMap((s) => s.tasks),
    (t) => t.id.toLowerCase(),
  );
  if (toStart.length === 0) return report;
  const qrs = deps.qrs();
  const outcomes = await mapLimit(toStart, deps.concurrency ?? 4, (task) => startOne(qrs, task.id));
  const outcomeOf = new Map(toStart.map((t, i) => [t.id.toLowerCase(), outcomes[i]!]));

  for (const { via, tasks, into } of selections) {
    for (const task of tasks) {
      const outcome = outcomeOf.get(task.id.toLowerCase())!;
      if (remembered && !outcome.ok && outcome.statusCode === 404) {
        // Not looked up this time, and QRS no longer knows it: what the lookup would have said.
        deps.names?.forget(task.id);
        report.tasksId.invalid.push({ taskId: requestedAs.get(task.id.toLowerCase()) ?? task.id });
      } else if (outcome.ok)
        into.push({ taskId: task.id, taskName: task.name, executionId: outcome.executionId });
      else
        report.tasksFailed.push({
          taskId: task.id,
          taskName: task.name,
          via,
          statusCode: outcome.statusCode,
          message: outcome.message,
        });
    }
  }
  return report;
}

/**
 * The tasks of a request that names only ids (no tags or custom properties, `allTaskIdsMustExist` off)
 * when every one was seen in a recent lookup; otherwise undefined and the request looks them up.
 */
function knownTasks(
  request: StartRequest,
  candidateIds: string[],
  otherSelections: number,
  names: TaskNameCache | undefined,
): TaskRef[] | undefined {
  if (!names || request.allTaskIdsMustExist || otherSelections > 0 || candidateIds.length === 0)
    return undefined;
  const tasks: TaskRef[] = [];
  for (const id of candidateIds) {
    const task = names.get(id);
    if (!task) return undefined;
    tasks.push(task);
  }
  return tasks;
}
