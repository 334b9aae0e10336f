/** The app operations over the Engine (list, dump, reload with its follow-ups), as the handlers use them. */
import type { SenseClient } from '../sense/client';
import { dumpApp, listApps, reloadApp } from '../sense/apps';
import type { TaskService } from '../tasks/task-service';
import { reloadWithWait, type ReloadAnswer, type ReloadRequest } from './reload-app';
import type { ReloadRecord, ReloadTracker } from './reload-tracker';

export interface AppService {
  list(): Promise<{ id: string; name: string }[]>;
  dump(appId: string): Promise<Record<string, unknown>>;
  /** Answers when the reload is done or after `sense.reloadWaitMs` (then still running, in the tracker). */
  reload(request: ReloadRequest): Promise<ReloadAnswer>;
  /** A reload this instance started and still remembers. */
  reloadStatus(appId: string, reloadId: string): ReloadRecord | undefined;
}

export interface AppServiceDeps {
  /** Throws NOT_CONFIGURED while Sense is not set up. */
  sense: () => SenseClient;
  tasks: TaskService;
  tracker: ReloadTracker;
  waitMs: number;
}

export function createAppService(deps: AppServiceDeps): AppService {
  return {
    list: async () => await listApps(deps.sense()),
    dump: async (appId) => await dumpApp(deps.sense(), appId),
    reload: async (request) => {
      // Before the tracker records anything: an unconfigured Sense is refused up front.
      const sense = deps.sense();
      return await reloadWithWait(request, {
        reload: (appId, opts) => reloadApp(sense, appId, opts),
        startTasks: (start) => deps.tasks.start(start),
        tracker: deps.tracker,
        waitMs: deps.waitMs,
      });
    },
    reloadStatus: (appId, reloadId) => deps.tracker.get(appId, reloadId),
  };
}
