/**
 * What task start needs from Sense's repository: find tasks and start them. `QrsClient` satisfies it
 * as it is; tests pass a plain in-memory fake.
 */
import type { TaskRef } from '../sense/qrs';

export interface TaskDirectory {
  tasksByIds(ids: string[]): Promise<TaskRef[]>;
  tasksByTags(tags: string[]): Promise<TaskRef[]>;
  tasksByCustomProperties(pairs: { name: string; value: string }[]): Promise<TaskRef[]>;
  /** Resolves with QRS's execution id (null or empty when QRS did not start the task). */
  startTaskSynchronous(id: string): Promise<{ executionId: string | null }>;
  /** The plain start, for a QRS without the synchronous route. */
  startTask(id: string): Promise<void>;
}
