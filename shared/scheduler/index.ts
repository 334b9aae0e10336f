/** The scheduler as the composition root builds it: the API's service and the timer's runner. */
import type { Logger } from '../log';
import type { StateStore } from '../state/store';
import { ScheduleRunner, type TaskStarter } from './runner';
import { ScheduleService } from './service';

export interface Scheduler {
  readonly schedules: ScheduleService;
  readonly runner: ScheduleRunner;
}

export function createScheduler(
  store: StateStore,
  deps: { log: Logger; startTask: TaskStarter; now?: () => Date },
): Scheduler {
  return {
    schedules: new ScheduleService(store, { now: deps.now }),
    runner: new ScheduleRunner(store, { log: deps.log, startTask: deps.startTask, now: deps.now }),
  };
}
