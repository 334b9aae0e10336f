/**
 * A plain in-memory `TaskDirectory` for unit tests: tasks with tags and custom properties, a log of
 * every lookup and start, and switches for the failures QRS can produce. No TLS, no sockets.
 */
import { ApiError } from '../../shared/http/errors';
import { SenseError } from '../../shared/sense/errors';
import type { TaskRef } from '../../shared/sense/qrs';
import type { TaskDirectory } from '../../shared/tasks/task-directory';

export interface FakeTask {
  id: string;
  name: string;
  tags?: string[];
  customProperties?: { name: string; value: string }[];
}

export class FakeTaskDirectory implements TaskDirectory {
  readonly lookups: string[] = [];
  /** Task ids in the order their start was asked for (synchronous or plain). */
  readonly starts: string[] = [];
  /** Task id → HTTP status QRS answers to its start. */
  readonly refuse = new Map<string, number>();
  /** When set, every lookup fails as if QRS could not be reached. */
  unreachable = false;
  /** When set, the synchronous route answers 404 (an older QRS) and only the plain start works. */
  noSynchronousRoute = false;
  /** Called at each start, before it answers: lets a test look at the world at that moment. */
  onStart: (id: string) => void | Promise<void> = () => undefined;

  constructor(readonly tasks: FakeTask[]) {}

  #lookup(what: string, match: (t: FakeTask) => boolean): Promise<TaskRef[]> {
    this.lookups.push(what);
    if (this.unreachable) return Promise.reject(new ApiError('SENSE_UNAVAILABLE', 'QRS unreachable (fake)'));
    return Promise.resolve(this.tasks.filter(match).map((t) => ({ id: t.id, name: t.name })));
  }

  tasksByIds(ids: string[]): Promise<TaskRef[]> {
    const wanted = new Set(ids.map((id) => id.toLowerCase()));
    return this.#lookup('ids', (t) => wanted.has(t.id.toLowerCase()));
  }

  tasksByTags(tags: string[]): Promise<TaskRef[]> {
    return this.#lookup('tags', (t) => (t.tags ?? []).some((tag) => tags.includes(tag)));
  }

  tasksByCustomProperties(pairs: { name: string; value: string }[]): Promise<TaskRef[]> {
    return this.#lookup('customProperties', (t) =>
      (t.customProperties ?? []).some((cp) => pairs.some((p) => p.name === cp.name && p.value === cp.value)),
    );
  }

  async startTaskSynchronous(id: string): Promise<{ executionId: string | null }> {
    if (this.noSynchronousRoute) {
      throw new SenseError('SENSE_ERROR', 'no such route (fake)', { upstreamStatus: 404 });
    }
    await this.#start(id);
    return { executionId: `exec-${id}` };
  }

  async startTask(id: string): Promise<void> {
    await this.#start(id);
  }

  async #start(id: string): Promise<void> {
    this.starts.push(id);
    await this.onStart(id);
    const status = this.refuse.get(id);
    if (status !== undefined) {
      throw new SenseError('SENSE_ERROR', `QRS refused to start ${id} (fake)`, { upstreamStatus: status });
    }
  }
}
