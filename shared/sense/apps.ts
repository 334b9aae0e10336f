/**
 * The Engine flows behind the app endpoints (docs/butler-compatibility.md §3 #28–#32): list apps, dump an app, reload an app.
 * Every failure leaves as an `ApiError` (1003 → APP_NOT_FOUND, Engine errors → SENSE_ERROR, timeouts → 504).
 */
import type { SenseClient } from './client';
import { composeAppDump } from './app-dump';
import { returnedHandle, type EngineSession } from './engine';
import { engineErrorToApiError, SenseError } from './errors';

export interface ReloadOutcome {
  success: boolean;
  saved: boolean;
  /** Why DoSave failed after a successful reload (the reload itself still counts as a success). */
  saveError?: string;
}

export interface ReloadOptions {
  /** 0 default, 1 ABEND (stop at first error), 2 ignore errors. */
  mode: number;
  partial: boolean;
  /** Limit for DoReload itself; default 24 h (Sense's default task session timeout is 1440 min). */
  reloadTimeoutMs?: number;
}

const DEFAULT_RELOAD_TIMEOUT_MS = 24 * 60 * 60 * 1000;

/** Runs `flow` on a fresh Engine session, always closes it, and maps every failure to an ApiError. */
async function withEngine<T>(
  client: SenseClient,
  path: string,
  appId: string | undefined,
  flow: (session: EngineSession) => Promise<T>,
): Promise<T> {
  const session = await client.openEngine(path);
  try {
    return await flow(session);
  } catch (err) {
    throw engineErrorToApiError(err, appId);
  } finally {
    await session.close();
  }
}

async function openDoc(session: EngineSession, appId: string, noData: boolean): Promise<number> {
  return returnedHandle(await session.call(-1, 'OpenDoc', [appId, '', '', '', noData]), 'OpenDoc');
}

/** GetDocList on the Engine root: the apps the configured user may see. */
export function listApps(client: SenseClient): Promise<{ id: string; name: string }[]> {
  return withEngine(client, '/', undefined, async (session) => {
    const result = await session.call<{ qDocList?: unknown }>(-1, 'GetDocList');
    if (!Array.isArray(result?.qDocList)) {
      throw new SenseError('SENSE_ERROR', 'Qlik Sense Engine answered GetDocList without qDocList');
    }
    return result.qDocList.map((doc: unknown) => {
      const { qDocId, qDocName } = (doc ?? {}) as { qDocId?: unknown; qDocName?: unknown };
      return {
        id: typeof qDocId === 'string' ? qDocId : '',
        name: typeof qDocName === 'string' ? qDocName : '',
      };
    });
  });
}

/** The app's definition, opened without data on `/app/engineData`. */
export function dumpApp(client: SenseClient, appId: string): Promise<Record<string, unknown>> {
  return withEngine(client, '/app/engineData', appId, async (session) => {
    const doc = await openDoc(session, appId, true);
    return composeAppDump(session, doc, appId);
  });
}

/** OpenDoc with data → DoReload(mode, partial) → DoSave when the reload succeeded. */
export function reloadApp(client: SenseClient, appId: string, opts: ReloadOptions): Promise<ReloadOutcome> {
  return withEngine(client, `/app/${encodeURIComponent(appId)}`, appId, async (session) => {
    const doc = await openDoc(session, appId, false);
    const reload = await session.call<{ qReturn?: unknown }>(doc, 'DoReload', [opts.mode, opts.partial], {
      timeoutMs: opts.reloadTimeoutMs ?? DEFAULT_RELOAD_TIMEOUT_MS,
    });
    if (reload?.qReturn !== true) return { success: false, saved: false };
    try {
      await session.call(doc, 'DoSave', []);
      return { success: true, saved: true };
    } catch (err) {
      return { success: true, saved: false, saveError: engineErrorToApiError(err, appId).message };
    }
  });
}
