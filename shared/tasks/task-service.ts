/**
 * The one task-start path: the REST endpoint, app-reload follow-ups, schedules and the MQTT topic all
 * call `start`. Built once per host start (shared/services.ts), so the start filter is compiled once.
 */
import { startTasks, type StartDeps, type StartReport, type StartRequest } from './start-tasks';

export interface TaskService {
  start(request: StartRequest): Promise<StartReport>;
}

export function createTaskService(deps: StartDeps): TaskService {
  return { start: (request) => startTasks(request, deps) };
}
