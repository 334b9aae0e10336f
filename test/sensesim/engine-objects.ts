/**
 * Generic objects behind Engine handles: app objects, dimensions, measures, bookmarks, variables and the
 * session list objects the app dump creates (docs/sense-facts.md §10.3). Each yields layout, properties and tree.
 */
import type { SimApp, SimAppObject, SimVariable } from './types';

export interface EngineObject {
  qType: 'GenericObject' | 'GenericDimension' | 'GenericMeasure' | 'GenericBookmark' | 'GenericVariable';
  genericType: string;
  id: string;
  layout(): Record<string, unknown>;
  properties(): Record<string, unknown>;
  /** Only GenericObject answers GetFullPropertyTree. */
  tree?: () => Record<string, unknown>;
}

const OBJECT_COLLECTIONS = [
  'sheets',
  'stories',
  'masterobjects',
  'appprops',
  'dimensions',
  'measures',
  'bookmarks',
  'snapshots',
] as const;

function flatten(objects: SimAppObject[]): SimAppObject[] {
  return objects.flatMap((o) => [o, ...flatten(o.children ?? [])]);
}

export function allAppObjects(app: SimApp): SimAppObject[] {
  return flatten(OBJECT_COLLECTIONS.flatMap((key) => app[key] ?? []));
}

export function findAppObject(app: SimApp, id: string, types?: string[]): SimAppObject | undefined {
  return allAppObjects(app).find((o) => o.id === id && (types === undefined || types.includes(o.type)));
}

function objectProperties(o: SimAppObject): Record<string, unknown> {
  return {
    qInfo: { qId: o.id, qType: o.type },
    qMetaDef: { title: o.title, description: o.description ?? '' },
    ...(o.children ? { qChildListDef: { qData: { title: '/qMetaDef/title' } } } : {}),
    ...o.properties,
  };
}

function objectMeta(o: SimAppObject): Record<string, unknown> {
  return { title: o.title, description: o.description ?? '', privileges: ['read', 'update', 'delete'] };
}

function objectLayout(o: SimAppObject): Record<string, unknown> {
  const { qMetaDef: _meta, qChildListDef: _children, ...rest } = objectProperties(o);
  return {
    ...rest,
    qMeta: objectMeta(o),
    qSelectionInfo: {},
    ...(o.children
      ? {
          qChildList: {
            qItems: o.children.map((c) => ({
              qInfo: { qId: c.id, qType: c.type },
              qData: { title: c.title },
            })),
          },
        }
      : {}),
  };
}

function objectTree(o: SimAppObject): Record<string, unknown> {
  return {
    qProperty: objectProperties(o),
    qChildren: (o.children ?? []).map(objectTree),
    qEmbeddedSnapshotRef: null,
  };
}

export function appObjectHandle(o: SimAppObject, qType: EngineObject['qType']): EngineObject {
  return {
    qType,
    genericType: o.type,
    id: o.id,
    layout: () => objectLayout(o),
    properties: () => objectProperties(o),
    ...(qType === 'GenericObject' ? { tree: () => objectTree(o) } : {}),
  };
}

export function variableHandle(v: SimVariable): EngineObject {
  const info = { qId: v.id, qType: 'variable' };
  return {
    qType: 'GenericVariable',
    genericType: 'variable',
    id: v.id,
    properties: () => ({
      qInfo: info,
      qMetaDef: {},
      qName: v.name,
      qComment: v.comment ?? '',
      qNumberPresentation: { qType: 'U', qnDec: 10, qUseThou: 0 },
      qIncludeInBookmark: false,
      qDefinition: v.definition,
    }),
    layout: () => ({
      qInfo: info,
      qMeta: {},
      qName: v.name,
      qText: v.definition,
      qIsScriptCreated: v.isScriptCreated ?? false,
    }),
  };
}

/** Resolves `qData` templates such as `{id: '/qInfo/qId'}` against an object's properties (JSON pointers). */
function resolveQData(template: unknown, props: Record<string, unknown>): Record<string, unknown> {
  if (template === null || typeof template !== 'object') return {};
  const out: Record<string, unknown> = {};
  for (const [key, pointer] of Object.entries(template as Record<string, unknown>)) {
    if (typeof pointer !== 'string' || !pointer.startsWith('/')) {
      out[key] = pointer;
      continue;
    }
    let value: unknown = props;
    for (const part of pointer.slice(1).split('/')) {
      value =
        value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
    }
    out[key] = value;
  }
  return out;
}

function objectItems(app: SimApp, def: Record<string, unknown>, fallbackType: string): unknown[] {
  const type = typeof def.qType === 'string' ? def.qType.toLowerCase() : fallbackType;
  return allAppObjects(app)
    .filter((o) => o.type.toLowerCase() === type)
    .map((o) => ({
      qInfo: { qId: o.id, qType: o.type },
      qMeta: objectMeta(o),
      qData: def.qData === undefined ? { title: o.title } : resolveQData(def.qData, objectProperties(o)),
    }));
}

function fieldItems(app: SimApp, def: Record<string, unknown>): unknown[] {
  return (app.fields ?? [])
    .filter((f) => (!f.isSystem || def.qShowSystem === true) && (!f.isHidden || def.qShowHidden === true))
    .filter((f) => !f.isSemantic || def.qShowSemantic === true)
    .map((f) => ({
      qName: f.name,
      qCardinal: 0,
      qTags: f.tags ?? [],
      ...(def.qShowSrcTables === true ? { qSrcTables: f.srcTables } : {}),
      ...(f.isSystem ? { qIsSystem: true } : {}),
      ...(f.isHidden ? { qIsHidden: true } : {}),
      ...(f.isSemantic ? { qIsSemantic: true } : {}),
    }));
}

function variableItems(app: SimApp, def: Record<string, unknown>): unknown[] {
  return (app.variables ?? [])
    .filter((v) => (!v.isReserved || def.qShowReserved === true) && (!v.isConfig || def.qShowConfig === true))
    .map((v) => ({
      qName: v.name,
      qDefinition: v.definition,
      qDescription: v.comment ?? '',
      qInfo: { qId: v.id, qType: 'variable' },
      qData: {},
      ...(v.isScriptCreated ? { qIsScriptCreated: true } : {}),
      ...(v.isReserved ? { qIsReserved: true } : {}),
      ...(v.isConfig ? { qIsConfig: true } : {}),
    }));
}

/** Computes every list the definition asks for; unknown definitions are left out, as the Engine ignores them. */
function listLayouts(app: SimApp, prop: Record<string, unknown>): Record<string, unknown> {
  const def = (key: string): Record<string, unknown> | undefined => {
    const value = prop[key];
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  };
  const out: Record<string, unknown> = {};
  const appObjects = def('qAppObjectListDef');
  if (appObjects) out.qAppObjectList = { qItems: objectItems(app, appObjects, 'sheet') };
  const dims = def('qDimensionListDef');
  if (dims) out.qDimensionList = { qItems: objectItems(app, dims, 'dimension') };
  const measures = def('qMeasureListDef');
  if (measures) out.qMeasureList = { qItems: objectItems(app, measures, 'measure') };
  const bookmarks = def('qBookmarkListDef');
  if (bookmarks) out.qBookmarkList = { qItems: objectItems(app, bookmarks, 'bookmark') };
  if (def('qMediaListDef'))
    out.qMediaList = { qItems: (app.media ?? []).map((u) => ({ qUrlDef: u, qUrl: u })) };
  const fields = def('qFieldListDef');
  if (fields) out.qFieldList = { qItems: fieldItems(app, fields) };
  const variables = def('qVariableListDef');
  if (variables) out.qVariableList = { qItems: variableItems(app, variables) };
  return out;
}

export function sessionListHandle(app: SimApp, prop: Record<string, unknown>, id: string): EngineObject {
  const info =
    prop.qInfo !== null && typeof prop.qInfo === 'object' ? (prop.qInfo as Record<string, unknown>) : {};
  const qType = typeof info.qType === 'string' ? info.qType : 'SessionLists';
  const properties = { ...prop, qInfo: { qId: id, qType } };
  return {
    qType: 'GenericObject',
    genericType: qType,
    id,
    properties: () => properties,
    layout: () => ({ qInfo: { qId: id, qType }, qMeta: {}, qSelectionInfo: {}, ...listLayouts(app, prop) }),
    tree: () => ({ qProperty: properties, qChildren: [], qEmbeddedSnapshotRef: null }),
  };
}
