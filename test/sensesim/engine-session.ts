/**
 * One Engine session (one WebSocket): the handle table (-1 Global, OpenDoc → Doc, object getters → new
 * handles) and the methods each handle type answers (docs/sense-facts.md §10.2, §11).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { appObjectHandle, findAppObject, sessionListHandle, variableHandle } from './engine-objects';
import type { EngineObject } from './engine-objects';
import { EngineError, arg, objectArg, stringArg } from './engine-rpc';
import type { ObjectReturn } from './engine-rpc';
import type { SenseFixtures, SimApp } from './types';

type Handle =
  { kind: 'Global' } | { kind: 'Doc'; app: SimApp } | { kind: 'Object'; app: SimApp; object: EngineObject };
type Method<H> = (handle: H, params: unknown) => unknown;

const ENGINE_VERSION = '12.1957.3';
const PRODUCT_VERSION = '14.187.4';

export class EngineSession {
  private readonly handles = new Map<number, Handle>([[-1, { kind: 'Global' }]]);
  private nextHandle = 1;
  private sessionObjects = 0;

  constructor(
    private readonly fixtures: SenseFixtures,
    private readonly signal: AbortSignal,
  ) {}

  /** The app a call concerns (for app-scoped faults): the handle's app or OpenDoc's argument. */
  appIdFor(handle: number, method: string, params: unknown): string | undefined {
    const h = this.handles.get(handle);
    if (h && h.kind !== 'Global') return h.app.id;
    if (method === 'OpenDoc') {
      const name = arg(params, 0, 'qDocName');
      return typeof name === 'string' ? name : undefined;
    }
    return undefined;
  }

  /** Answers synchronously or with a promise (DoReload); throws EngineError. */
  call(handle: number, method: string, params: unknown): unknown {
    const h = this.handles.get(handle);
    if (!h) throw new EngineError(-32602, 'Invalid handle', 'Invalid Params');
    switch (h.kind) {
      case 'Global':
        return this.dispatch(this.globalMethods, h, method, params);
      case 'Doc':
        return this.dispatch(this.docMethods, h, method, params);
      case 'Object':
        return this.dispatch(this.objectMethods, h, method, params);
    }
  }

  private dispatch<H>(table: Record<string, Method<H>>, h: H, method: string, params: unknown): unknown {
    const fn = Object.hasOwn(table, method) ? table[method] : undefined;
    if (!fn) throw new EngineError(-32601, method, 'JSON-RPC method not found');
    return fn(h, params);
  }

  private register(handle: Handle): number {
    const id = this.nextHandle;
    this.nextHandle += 1;
    this.handles.set(id, handle);
    return id;
  }

  private findApp(id: string): SimApp | undefined {
    const lower = id.toLowerCase();
    return this.fixtures.apps.find((a) => a.id.toLowerCase() === lower);
  }

  private openObject(app: SimApp, object: EngineObject | undefined, id: string): { qReturn: ObjectReturn } {
    if (!object) throw new EngineError(2, id, 'Object not found');
    const qHandle = this.register({ kind: 'Object', app, object });
    return {
      qReturn: { qType: object.qType, qHandle, qGenericType: object.genericType, qGenericId: object.id },
    };
  }

  private readonly globalMethods: Record<string, Method<{ kind: 'Global' }>> = {
    EngineVersion: () => ({ qVersion: { qComponentVersion: ENGINE_VERSION } }),
    ProductVersion: () => ({ qReturn: PRODUCT_VERSION }),
    GetDocList: () => ({
      qDocList: this.fixtures.apps.map((a) => ({
        qDocName: a.name,
        qDocId: a.id,
        qTitle: a.name,
        qConnectedUsers: 0,
        qFileTime: 45000,
        qFileSize: a.fileSize ?? 0,
        qLastReloadTime: a.lastReloadTime,
        qMeta: {
          createdDate: '2024-01-15T10:30:00.000Z',
          modifiedDate: a.modifiedDate ?? a.lastReloadTime,
          stream: a.stream ?? undefined,
        },
        qReadOnly: false,
        qThumbnail: { qUrl: '' },
      })),
    }),
    OpenDoc: (_h, params) => {
      const name = stringArg(params, 0, 'qDocName');
      const app = this.findApp(name);
      if (!app) throw new EngineError(1003, name, 'App not found');
      for (const [id, h] of this.handles) {
        if (h.kind !== 'Doc') continue;
        if (h.app === app) return { qReturn: { qType: 'Doc', qHandle: id, qGenericId: app.id } };
        throw new EngineError(1002, name, 'App already open');
      }
      const qHandle = this.register({ kind: 'Doc', app });
      return { qReturn: { qType: 'Doc', qHandle, qGenericId: app.id } };
    },
    GetActiveDoc: () => {
      for (const [id, h] of this.handles) {
        if (h.kind === 'Doc') return { qReturn: { qType: 'Doc', qHandle: id, qGenericId: h.app.id } };
      }
      throw new EngineError(1007, '', 'App invalid');
    },
  };

  private async reload(app: SimApp): Promise<boolean> {
    if (app.reloadDelayMs) await sleep(app.reloadDelayMs, undefined, { signal: this.signal });
    const outcome = app.reloadOutcome ?? true;
    if (typeof outcome === 'object') throw new EngineError(outcome.errorCode, '');
    if (outcome) app.lastReloadTime = new Date().toISOString();
    return outcome;
  }

  private readonly docMethods: Record<string, Method<{ kind: 'Doc'; app: SimApp }>> = {
    // qMode / qPartial do not change the simulated outcome; the journal keeps them for assertions.
    DoReload: async (h) => ({ qReturn: await this.reload(h.app) }),
    DoReloadEx: async (h) => {
      const success = await this.reload(h.app);
      const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('Z', '');
      return {
        qResult: {
          qSuccess: success,
          qScriptLogFile: `C:\\ProgramData\\Qlik\\Sense\\Log\\Script\\${h.app.id}.${stamp}.log`,
          qEndedWithMemoryConstraint: false,
        },
      };
    },
    DoSave: () => ({}),
    GetScript: (h) => ({ qScript: h.app.script }),
    SetScript: (h, params) => {
      h.app.script = stringArg(params, 0, 'qScript');
      return {};
    },
    GetAppProperties: (h) => ({
      qProp: {
        qTitle: h.app.name,
        qLastReloadTime: h.app.lastReloadTime,
        qThumbnail: { qUrl: '' },
        qHasSectionAccess: false,
        description: h.app.description ?? '',
        ...h.app.properties,
      },
    }),
    GetAppLayout: (h) => ({
      qLayout: {
        qTitle: h.app.name,
        qFileName: h.app.id,
        qLastReloadTime: h.app.lastReloadTime,
        qHasScript: h.app.script !== '',
        qHasData: true,
        qThumbnail: { qUrl: '' },
      },
    }),
    GetLineage: (h) => ({ qLineage: h.app.lineage ?? [] }),
    GetConnections: (h) => ({ qConnections: (h.app.connections ?? []).map(connectionInfo) }),
    GetConnection: (h, params) => {
      const id = stringArg(params, 0, 'qConnectionId');
      const found = (h.app.connections ?? []).find((c) => c.id === id);
      if (!found) throw new EngineError(2, id, 'Connection not found');
      return { qConnection: connectionInfo(found) };
    },
    CreateSessionObject: (h, params) => {
      const prop = objectArg(params, 0, 'qProp');
      this.sessionObjects += 1;
      const id = `session-${this.sessionObjects}`;
      return this.openObject(h.app, sessionListHandle(h.app, prop, id), id);
    },
    GetObject: (h, params) => {
      const id = stringArg(params, 0, 'qId');
      const o = findAppObject(h.app, id);
      return this.openObject(h.app, o && appObjectHandle(o, 'GenericObject'), id);
    },
    GetDimension: (h, params) => {
      const id = stringArg(params, 0, 'qId');
      const o = findAppObject(h.app, id, ['dimension']);
      return this.openObject(h.app, o && appObjectHandle(o, 'GenericDimension'), id);
    },
    GetMeasure: (h, params) => {
      const id = stringArg(params, 0, 'qId');
      const o = findAppObject(h.app, id, ['measure']);
      return this.openObject(h.app, o && appObjectHandle(o, 'GenericMeasure'), id);
    },
    GetBookmark: (h, params) => {
      const id = stringArg(params, 0, 'qId');
      const o = findAppObject(h.app, id, ['bookmark', 'snapshot']);
      return this.openObject(h.app, o && appObjectHandle(o, 'GenericBookmark'), id);
    },
    GetVariableById: (h, params) => {
      const id = stringArg(params, 0, 'qId');
      const v = (h.app.variables ?? []).find((x) => x.id === id);
      return this.openObject(h.app, v && variableHandle(v), id);
    },
    GetVariableByName: (h, params) => {
      const name = stringArg(params, 0, 'qName');
      const v = (h.app.variables ?? []).find((x) => x.name === name);
      return this.openObject(h.app, v && variableHandle(v), name);
    },
  };

  private readonly objectMethods: Record<string, Method<{ kind: 'Object'; object: EngineObject }>> = {
    GetLayout: (h) => ({ qLayout: h.object.layout() }),
    GetProperties: (h) => ({ qProp: h.object.properties() }),
    GetInfo: (h) => ({ qInfo: { qId: h.object.id, qType: h.object.genericType } }),
    GetFullPropertyTree: (h) => {
      if (!h.object.tree) throw new EngineError(-32601, 'GetFullPropertyTree', 'JSON-RPC method not found');
      return { qPropEntry: h.object.tree() };
    },
  };
}

function connectionInfo(c: {
  id: string;
  name: string;
  connectionString: string;
  type: string;
}): Record<string, unknown> {
  return {
    qId: c.id,
    qName: c.name,
    qConnectionString: c.connectionString,
    qType: c.type,
    qModifiedDate: '2024-01-15T10:30:00.000Z',
    qMeta: { name: c.name },
    qLogOn: 0,
  };
}
