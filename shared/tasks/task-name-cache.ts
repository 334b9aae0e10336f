/**
 * Tasks seen in recent QRS lookups (id → canonical id and name), so that a start naming only ids that
 * were looked up a moment ago can skip the lookup round trip: QRS's answer to the start itself then says
 * whether the task still exists (404 → reported invalid, as a lookup would have). A name shown in a
 * report may therefore be up to `ttlMs` old. Bounded: the oldest entry goes when it is full.
 */
import type { TaskRef } from '../sense/qrs';

const DEFAULT_TTL_MS = 60_000;
const DEFAULT_MAX_ENTRIES = 10_000;

export class TaskNameCache {
  readonly #tasks = new Map<string, { task: TaskRef; until: number }>();

  constructor(
    private readonly ttlMs = DEFAULT_TTL_MS,
    private readonly maxEntries = DEFAULT_MAX_ENTRIES,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.#tasks.size;
  }

  remember(tasks: readonly TaskRef[]): void {
    const until = this.now() + this.ttlMs;
    for (const task of tasks) {
      const key = task.id.toLowerCase();
      // Re-inserted at the end, so the Map's order stays oldest first.
      this.#tasks.delete(key);
      this.#tasks.set(key, { task: { id: task.id, name: task.name }, until });
      if (this.#tasks.size > this.maxEntries) {
        const oldest = this.#tasks.keys().next();
        if (!oldest.done) this.#tasks.delete(oldest.value);
      }
    }
  }

  /** The task as last looked up, or undefined when unknown or older than the time to live. */
  get(id: string): TaskRef | undefined {
    const key = id.toLowerCase();
    const entry = this.#tasks.get(key);
    if (!entry) return undefined;
    if (entry.until <= this.now()) {
      this.#tasks.delete(key);
      return undefined;
    }
    return entry.task;
  }

  forget(id: string): void {
    this.#tasks.delete(id.toLowerCase());
  }
}
