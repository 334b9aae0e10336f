/** Renders the live fixture model into QRS response rows (docs/sense-facts.md §5), filling realistic defaults. */
import { createHash } from 'node:crypto';
import { NEVER, condensedResult, neverStartedResult } from './execution';
import type { SenseFixtures, SimApp, SimCustomPropertyValue, SimRef, SimTask } from './types';

const SCHEMA_BY_TYPE: Record<number, string> = {
  0: 'ReloadTask',
  1: 'ExternalProgramTask',
  2: 'UserSyncTask',
  3: 'DistributionTask',
  4: 'PreloadTask',
};
const DEFAULT_DATE = '2024-01-15T10:30:00.000Z';

/** A stable GUID derived from a seed, for ids the fixtures do not spell out (e.g. `operational.id`). */
export function derivedGuid(seed: string): string {
  const h = createHash('sha1').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function tagRows(tags: SimRef[] | undefined): Record<string, unknown>[] {
  return (tags ?? []).map((t) => ({ id: t.id, name: t.name, privileges: null }));
}

function customPropertyRows(fx: SenseFixtures, values: SimCustomPropertyValue[] | undefined): unknown[] {
  return (values ?? []).map((v) => {
    const def = fx.customPropertyDefinitions.find((d) => d.id === v.definition.id);
    return {
      id: v.id,
      createdDate: DEFAULT_DATE,
      modifiedDate: DEFAULT_DATE,
      modifiedByUserName: 'INTERNAL\\sa_repository',
      value: v.value,
      definition: {
        id: v.definition.id,
        name: v.definition.name,
        valueType: def?.valueType ?? 'Text',
        choiceValues: def?.choiceValues ?? [],
        privileges: null,
      },
      schemaPath: 'CustomPropertyValue',
    };
  });
}

function appReference(fx: SenseFixtures, ref: { id: string; name: string }): Record<string, unknown> {
  const app = findById(fx.apps, ref.id);
  return {
    id: ref.id,
    name: app?.name ?? ref.name,
    appId: '',
    publishTime: app?.publishTime ?? NEVER,
    published: app?.published ?? false,
    stream: app?.stream ?? null,
    savedInProductVersion: '14.187.4',
    migrationHash: 'c8f1e1d0a3c2b4e5f6a7b8c9d0e1f2a3b4c5d6e7',
    availabilityStatus: 0,
    privileges: null,
  };
}

export function findById<T extends { id: string }>(items: T[], id: string): T | undefined {
  const lower = id.toLowerCase();
  return items.find((item) => item.id.toLowerCase() === lower);
}

function lastExecution(fx: SenseFixtures, task: SimTask): Record<string, unknown> {
  // One pass (the first of equal start times wins, as a stable sort would give): every task row
  // of every lookup comes here, so this must not sort the whole history.
  let newest: (typeof fx.executionResults)[number] | undefined;
  let newestStart = -Infinity;
  for (const result of fx.executionResults) {
    if (result.taskID !== task.id) continue;
    const start = Date.parse(result.startTime);
    if (newest === undefined || start > newestStart) {
      newest = result;
      newestStart = start;
    }
  }
  return newest ? condensedResult(newest) : neverStartedResult();
}

export function taskFullRow(fx: SenseFixtures, task: SimTask): Record<string, unknown> {
  return {
    id: task.id,
    createdDate: task.createdDate ?? DEFAULT_DATE,
    modifiedDate: task.modifiedDate ?? DEFAULT_DATE,
    modifiedByUserName: task.modifiedByUserName ?? 'INTERNAL\\sa_repository',
    customProperties: customPropertyRows(fx, task.customProperties),
    app: appReference(fx, task.app),
    isManuallyTriggered: task.isManuallyTriggered ?? false,
    operational: {
      id: derivedGuid(`${task.id}:operational`),
      lastExecutionResult: lastExecution(fx, task),
      nextExecution: task.nextExecution ?? NEVER,
      privileges: null,
    },
    name: task.name,
    taskType: task.taskType,
    enabled: task.enabled,
    taskSessionTimeout: task.taskSessionTimeout ?? 1440,
    maxRetries: task.maxRetries ?? 0,
    tags: tagRows(task.tags),
    privileges: null,
    schemaPath: SCHEMA_BY_TYPE[task.taskType] ?? 'ReloadTask',
    isPartialReload: task.isPartialReload ?? false,
    timeToLive: 0,
  };
}

export function taskCondensedRow(task: SimTask): Record<string, unknown> {
  return { id: task.id, name: task.name, taskType: task.taskType, enabled: task.enabled, privileges: null };
}

function ownerRow(fx: SenseFixtures, app: SimApp): Record<string, unknown> | null {
  const owner = app.ownerId === undefined ? undefined : findById(fx.users, app.ownerId);
  if (!owner) return null;
  return {
    id: owner.id,
    userId: owner.userId,
    userDirectory: owner.userDirectory,
    name: owner.name,
    privileges: null,
  };
}

export function appCondensedRow(app: SimApp): Record<string, unknown> {
  return {
    id: app.id,
    name: app.name,
    appId: '',
    publishTime: app.publishTime ?? NEVER,
    published: app.published ?? false,
    stream: app.stream ?? null,
    savedInProductVersion: '14.187.4',
    migrationHash: 'c8f1e1d0a3c2b4e5f6a7b8c9d0e1f2a3b4c5d6e7',
    availabilityStatus: 0,
    privileges: null,
  };
}

export function appFullRow(fx: SenseFixtures, app: SimApp): Record<string, unknown> {
  return {
    ...appCondensedRow(app),
    createdDate: DEFAULT_DATE,
    modifiedDate: app.modifiedDate ?? app.lastReloadTime,
    modifiedByUserName: app.modifiedByUserName ?? 'INTERNAL\\sa_scheduler',
    customProperties: customPropertyRows(fx, app.customProperties),
    owner: ownerRow(fx, app),
    description: app.description ?? '',
    fileSize: app.fileSize ?? 0,
    lastReloadTime: app.lastReloadTime,
    thumbnail: '',
    tags: tagRows(app.tags),
    dynamicColor: '',
    sourceAppId: '00000000-0000-0000-0000-000000000000',
    targetAppId: '00000000-0000-0000-0000-000000000000',
    isDirectQueryMode: false,
    schemaPath: 'App',
  };
}

export function userFullRow(fx: SenseFixtures, id: string): Record<string, unknown> | undefined {
  const user = findById(fx.users, id);
  if (!user) return undefined;
  return {
    id: user.id,
    createdDate: DEFAULT_DATE,
    modifiedDate: DEFAULT_DATE,
    modifiedByUserName: 'INTERNAL\\sa_repository',
    userId: user.userId,
    userDirectory: user.userDirectory,
    name: user.name,
    roles: [],
    attributes: user.attributes.map((a) => ({ ...a, schemaPath: 'UserAttribute' })),
    inactive: false,
    removedExternally: false,
    blacklisted: false,
    deleteProhibited: false,
    tags: [],
    customProperties: [],
    privileges: null,
    schemaPath: 'User',
  };
}

export function customPropertyDefinitionRows(fx: SenseFixtures): Record<string, unknown>[] {
  return fx.customPropertyDefinitions.map((d) => ({
    id: d.id,
    createdDate: DEFAULT_DATE,
    modifiedDate: DEFAULT_DATE,
    modifiedByUserName: 'INTERNAL\\sa_repository',
    name: d.name,
    valueType: d.valueType,
    choiceValues: d.choiceValues,
    objectTypes: d.objectTypes,
    description: '',
    privileges: null,
    schemaPath: 'CustomPropertyDefinition',
  }));
}
