/**
 * Where schedules and firing claims live in the state layer, and the read-modify-write loop every
 * change goes through (ETag-conditional, so two hosts editing one schedule never lose an update).
 */
import { ApiError } from '../http/errors';
import { isStateConflict, type StateEntity, type StateStore, type StateTable } from '../state/store';
import type { StoredSchedule } from './types';

export const SCHEDULES_TABLE = 'schedules';
export const CLAIMS_TABLE = 'scheduleclaims';
/** All schedules share one partition: they are few (bounded) and always listed together. */
export const SCHEDULE_PARTITION = 'schedule';
export const CLAIM_PARTITION = 'claim';

export interface Claim {
  scheduleId: string;
  occurrence: string;
  claimedAt: string;
}

const MAX_ATTEMPTS = 8;

export class ScheduleTables {
  readonly schedules: StateTable<StoredSchedule>;
  readonly claims: StateTable<Claim>;

  constructor(store: StateStore) {
    this.schedules = store.table<StoredSchedule>(SCHEDULES_TABLE);
    this.claims = store.table<Claim>(CLAIMS_TABLE);
  }

  async list(): Promise<StateEntity<StoredSchedule>[]> {
    const all = await this.schedules.list(SCHEDULE_PARTITION);
    return all.sort((a, b) => a.value.order - b.value.order || a.row.localeCompare(b.row));
  }

  get(id: string): Promise<StateEntity<StoredSchedule> | undefined> {
    return this.schedules.get(SCHEDULE_PARTITION, id);
  }

  /**
   * Applies `change` to the current version and writes it only if nobody wrote in between; retries
   * on a lost race. `change` returns undefined to leave the entity as it is. Resolves undefined when
   * the schedule does not exist.
   */
  async mutate(
    id: string,
    change: (current: StoredSchedule) => StoredSchedule | undefined,
  ): Promise<StoredSchedule | undefined> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const entity = await this.get(id);
      if (!entity) return undefined;
      const next = change(entity.value);
      if (next === undefined) return entity.value;
      try {
        return (await this.schedules.put(SCHEDULE_PARTITION, id, next, entity.etag)).value;
      } catch (err) {
        if (!isStateConflict(err)) throw err;
      }
    }
    throw new ApiError('STATE_CONFLICT', `Schedule ${id} is being changed concurrently; try again`);
  }
}

export function claimRow(scheduleId: string, occurrence: string): string {
  return `${scheduleId}|${occurrence}`;
}
