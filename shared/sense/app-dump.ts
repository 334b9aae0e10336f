/**
 * The app dump (docs/butler-compatibility.md §3 #29, composition in docs/sense-facts.md §10.3): the app's definition without data.
 * Sections are fetched concurrently and assembled in the documented key order.
 */
import { returnedHandle, type EngineSession } from './engine';
import { EngineError, SenseError } from './errors';
import { mapLimit } from '../concurrency/map-limit';

type Json = Record<string, unknown>;

/** Objects fetched at once per section; enough to hide round trips without flooding the Engine. */
const ITEM_CONCURRENCY = 8;

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Json)[key] : undefined;
}

function itemId(item: unknown, what: string): string {
  const id = field(field(item, 'qInfo'), 'qId');
  if (typeof id !== 'string')
    throw new SenseError('SENSE_ERROR', `Qlik Sense listed a ${what} without qInfo.qId`);
  return id;
}

class DumpReader {
  constructor(
    private readonly session: EngineSession,
    private readonly doc: number,
  ) {}

  call(handle: number, method: string, params: unknown[] = []): Promise<unknown> {
    return this.session.call(handle, method, params);
  }

  async docValue(method: string, key: string): Promise<unknown> {
    return field(await this.call(this.doc, method), key);
  }

  /** Creates a session list object and returns `qLayout[listKey].qItems`. */
  async listItems(definition: Json, listKey: string): Promise<unknown[]> {
    const created = await this.call(this.doc, 'CreateSessionObject', [definition]);
    const layout = field(
      await this.call(returnedHandle(created, 'CreateSessionObject'), 'GetLayout'),
      'qLayout',
    );
    const items = field(field(layout, listKey), 'qItems');
    return Array.isArray(items) ? (items as unknown[]) : [];
  }

  /** Opens each listed object with `openMethod` and reads `readMethod` → `resultKey` from it. */
  async readEach(items: unknown[], what: string, openMethod: string, readMethod: string, resultKey: string) {
    return mapLimit(items, ITEM_CONCURRENCY, async (item) => {
      const opened = await this.call(this.doc, openMethod, [itemId(item, what)]);
      return field(await this.call(returnedHandle(opened, openMethod), readMethod), resultKey);
    });
  }

  async appObjects(type: string): Promise<unknown[]> {
    const items = await this.listItems(
      { qInfo: { qType: `${type}List` }, qAppObjectListDef: { qType: type, qData: { id: '/qInfo/qId' } } },
      'qAppObjectList',
    );
    return this.readEach(items, type, 'GetObject', 'GetFullPropertyTree', 'qPropEntry');
  }

  async dimensions(): Promise<unknown[]> {
    const items = await this.listItems(
      {
        qInfo: { qType: 'DimensionList' },
        qDimensionListDef: { qType: 'dimension', qData: { title: '/title' } },
      },
      'qDimensionList',
    );
    return this.readEach(items, 'dimension', 'GetDimension', 'GetProperties', 'qProp');
  }

  async measures(): Promise<unknown[]> {
    const items = await this.listItems(
      { qInfo: { qType: 'MeasureList' }, qMeasureListDef: { qType: 'measure', qData: { title: '/title' } } },
      'qMeasureList',
    );
    return this.readEach(items, 'measure', 'GetMeasure', 'GetProperties', 'qProp');
  }

  private bookmarkItems(type: 'bookmark' | 'snapshot'): Promise<unknown[]> {
    return this.listItems(
      {
        qInfo: { qType: `${type}List` },
        qBookmarkListDef: { qType: type, qData: { title: '/qMetaDef/title' } },
      },
      'qBookmarkList',
    );
  }

  /** Bookmark properties plus the selection state, which only the layout carries (`qData.qBookMark`). */
  async bookmarks(): Promise<unknown[]> {
    const items = await this.bookmarkItems('bookmark');
    return mapLimit(items, ITEM_CONCURRENCY, async (item) => {
      const handle = returnedHandle(
        await this.call(this.doc, 'GetBookmark', [itemId(item, 'bookmark')]),
        'GetBookmark',
      );
      const [properties, layout] = await Promise.all([
        this.call(handle, 'GetProperties'),
        this.call(handle, 'GetLayout'),
      ]);
      const prop = { ...((field(properties, 'qProp') as Json | undefined) ?? {}) };
      prop.qData = {
        ...(field(prop, 'qData') ?? {}),
        qBookMark: field(field(layout, 'qLayout'), 'qBookmark'),
      };
      return prop;
    });
  }

  async snapshots(): Promise<unknown[]> {
    const items = await this.bookmarkItems('snapshot');
    return this.readEach(items, 'snapshot', 'GetBookmark', 'GetProperties', 'qProp');
  }

  async embeddedMedia(): Promise<unknown[]> {
    const items = await this.listItems({ qInfo: { qType: 'MediaList' }, qMediaListDef: {} }, 'qMediaList');
    return items.filter((item) => {
      const url = field(item, 'qUrlDef');
      return typeof url === 'string' && url.startsWith('/media/');
    });
  }

  fields(): Promise<unknown[]> {
    return this.listItems(
      {
        qInfo: { qType: 'FieldList' },
        qFieldListDef: { qShowSystem: true, qShowHidden: true, qShowSrcTables: true, qShowSemantic: true },
      },
      'qFieldList',
    );
  }

  async dataConnections(): Promise<unknown[]> {
    const connections = await this.docValue('GetConnections', 'qConnections');
    const list = Array.isArray(connections) ? connections : [];
    return mapLimit(list, ITEM_CONCURRENCY, async (connection) => {
      const id = field(connection, 'qId');
      if (typeof id !== 'string')
        throw new SenseError('SENSE_ERROR', 'Qlik Sense listed a data connection without qId');
      return field(await this.call(this.doc, 'GetConnection', [id]), 'qConnection');
    });
  }

  /** Variable properties plus the flags only the list item carries. */
  async variables(): Promise<unknown[]> {
    const items = await this.listItems(
      {
        qInfo: { qType: 'VariableList' },
        qVariableListDef: {
          qType: 'variable',
          qShowReserved: true,
          qShowConfig: true,
          qData: { tags: '/tags' },
        },
      },
      'qVariableList',
    );
    return mapLimit(items, ITEM_CONCURRENCY, async (item) => {
      const opened = await this.call(this.doc, 'GetVariableById', [itemId(item, 'variable')]);
      const prop = field(
        await this.call(returnedHandle(opened, 'GetVariableById'), 'GetProperties'),
        'qProp',
      );
      return {
        ...((prop as Json | undefined) ?? {}),
        qIsScriptCreated: field(item, 'qIsScriptCreated') ?? false,
        qIsReserved: field(item, 'qIsReserved') ?? false,
        qIsConfig: field(item, 'qIsConfig') ?? false,
      };
    });
  }

  /** The lineage array, or undefined when the Engine cannot give one (the key is then omitted). */
  async lineage(): Promise<unknown[] | undefined> {
    try {
      const lineage = await this.docValue('GetLineage', 'qLineage');
      return Array.isArray(lineage) ? lineage : undefined;
    } catch (err) {
      if (err instanceof EngineError) return undefined;
      throw err;
    }
  }
}

/** Reads the whole dump from an open Doc handle. */
export async function composeAppDump(session: EngineSession, doc: number, appId: string): Promise<Json> {
  const r = new DumpReader(session, doc);
  const [properties, loadScript, lineage, sheets, stories, masterobjects, appprops] = await Promise.all([
    r.docValue('GetAppProperties', 'qProp'),
    r.docValue('GetScript', 'qScript'),
    r.lineage(),
    r.appObjects('sheet'),
    r.appObjects('story'),
    r.appObjects('masterobject'),
    r.appObjects('appprops'),
  ]);
  const [dataconnections, dimensions, measures, bookmarks, embeddedmedia, snapshots, fields, variables] =
    await Promise.all([
      r.dataConnections(),
      r.dimensions(),
      r.measures(),
      r.bookmarks(),
      r.embeddedMedia(),
      r.snapshots(),
      r.fields(),
      r.variables(),
    ]);
  return {
    properties,
    loadScript,
    ...(lineage !== undefined ? { lineage } : {}),
    sheets,
    stories,
    masterobjects,
    appprops,
    dataconnections,
    dimensions,
    measures,
    bookmarks,
    embeddedmedia,
    snapshots,
    fields,
    variables,
    appId,
  };
}
