/**
 * Alert bookkeeping in the state store, shared by every host using it:
 * - `alertclaims` (result id, channel id): inserting the row claims the delivery (insert = claim), so
 *   each execution result alerts at most once per channel whatever the number of hosts; a claim left
 *   `sending` by a host that died is taken over after `leaseMs`.
 * - `alertdone` ("result", result id): every channel settled; lets the backstop skip the result cheaply.
 * - `alertratelimit` (channel id, task id): when the channel last sent for the task.
 * - `alertdeadletters` (channel id, result id): what could not be delivered, and why.
 * - `alertcursor` ("backstop", "modifiedDate"): how far the backstop has read execution results.
 */
import { isStateConflict, type StateStore, type StateTable } from '../state/store';

export type ClaimState = 'sending' | 'sent' | 'dead' | 'rateLimited' | 'skipped';

export interface ClaimRecord {
  state: ClaimState;
  at: string;
  attempts: number;
}

export interface DeadLetter {
  at: string;
  channel: string;
  resultId: string;
  executionId: string;
  taskId: string;
  taskName: string;
  appId: string;
  appName: string;
  outcome: string;
  attempts: number;
  error: string;
}

export interface Claim {
  release(): Promise<void>;
  settle(state: Exclude<ClaimState, 'sending'>, attempts: number): Promise<void>;
}

export class AlertLedger {
  private readonly claims: StateTable<ClaimRecord>;
  private readonly done: StateTable<{ at: string }>;
  private readonly rates: StateTable<{ lastSentAt: string }>;
  private readonly dead: StateTable<DeadLetter>;
  private readonly cursor: StateTable<{ modifiedDate: string }>;

  constructor(
    state: StateStore,
    private readonly leaseMs: number,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.claims = state.table('alertclaims');
    this.done = state.table('alertdone');
    this.rates = state.table('alertratelimit');
    this.dead = state.table('alertdeadletters');
    this.cursor = state.table('alertcursor');
  }

  async isDone(resultId: string): Promise<boolean> {
    return (await this.done.get('result', key(resultId))) !== undefined;
  }

  async markDone(resultId: string): Promise<void> {
    await this.done.put('result', key(resultId), { at: this.now().toISOString() });
  }

  /** A claim on (result, channel), or undefined when another delivery owns or finished it. */
  async claim(resultId: string, channelId: string): Promise<Claim | undefined> {
    const partition = key(resultId);
    const fresh: ClaimRecord = { state: 'sending', at: this.now().toISOString(), attempts: 0 };
    let etag: string;
    try {
      etag = (await this.claims.insert(partition, channelId, fresh)).etag;
    } catch (err) {
      if (!isStateConflict(err)) throw err;
      const existing = await this.claims.get(partition, channelId);
      if (!existing) return this.claim(resultId, channelId);
      const stale =
        existing.value.state === 'sending' &&
        this.now().getTime() - Date.parse(existing.value.at) > this.leaseMs;
      if (!stale) return undefined;
      try {
        etag = (await this.claims.put(partition, channelId, fresh, existing.etag)).etag;
      } catch (putErr) {
        if (isStateConflict(putErr)) return undefined;
        throw putErr;
      }
    }
    return {
      release: async () => {
        await this.claims.delete(partition, channelId, etag).catch((e: unknown) => {
          if (!isStateConflict(e)) throw e;
        });
      },
      settle: async (state, attempts) => {
        await this.claims.put(partition, channelId, { state, at: this.now().toISOString(), attempts });
      },
    };
  }

  async claimState(resultId: string, channelId: string): Promise<ClaimRecord | undefined> {
    return (await this.claims.get(key(resultId), channelId))?.value;
  }

  /**
   * Takes the channel's rate-limit slot for the task: true when the last alert is older than
   * `seconds` (or there is none), recording now; false when limited. 0 seconds: never limited.
   */
  async takeRateSlot(channelId: string, taskId: string, seconds: number): Promise<boolean> {
    if (seconds <= 0) return true;
    const row = key(taskId);
    const now = this.now();
    const current = await this.rates.get(channelId, row);
    if (current && now.getTime() - Date.parse(current.value.lastSentAt) < seconds * 1000) return false;
    try {
      if (current) await this.rates.put(channelId, row, { lastSentAt: now.toISOString() }, current.etag);
      else await this.rates.insert(channelId, row, { lastSentAt: now.toISOString() });
      return true;
    } catch (err) {
      if (isStateConflict(err)) return false; // another host just took it
      throw err;
    }
  }

  async addDeadLetter(letter: DeadLetter): Promise<void> {
    await this.dead.put(letter.channel, key(letter.resultId), letter);
  }

  async deadLetters(): Promise<DeadLetter[]> {
    return (await this.dead.list()).map((e) => e.value);
  }

  /**
   * Forgets bookkeeping older than `cutoff`: settled claims, done markers, rate-limit slots and dead
   * letters. The backstop never looks further back than a few minutes, so old rows only cost space.
   * Returns how many rows were removed.
   */
  async prune(cutoff: Date): Promise<number> {
    const before = cutoff.getTime();
    const old = (iso: string | undefined) => iso !== undefined && Date.parse(iso) < before;
    let removed = 0;
    const sweep = async <T>(
      table: StateTable<T>,
      stamp: (value: T) => string | undefined,
      keep?: (value: T) => boolean,
    ) => {
      let count = 0;
      for (const entity of await table.list()) {
        if (count >= PRUNE_LIMIT) break;
        if (!old(stamp(entity.value)) || keep?.(entity.value)) continue;
        if (await table.delete(entity.partition, entity.row, entity.etag).catch(() => false)) count++;
      }
      removed += count;
    };
    // A claim still `sending` belongs to a delivery in progress (or a dead host's, taken over by lease).
    await sweep(
      this.claims,
      (v) => v.at,
      (v) => v.state === 'sending',
    );
    await sweep(this.done, (v) => v.at);
    await sweep(this.rates, (v) => v.lastSentAt);
    await sweep(this.dead, (v) => v.at);
    return removed;
  }

  async readCursor(): Promise<{ modifiedDate: string; etag: string } | undefined> {
    const entity = await this.cursor.get('backstop', 'modifiedDate');
    return entity ? { modifiedDate: entity.value.modifiedDate, etag: entity.etag } : undefined;
  }

  /** Moves the cursor forward only; a concurrent move by another host wins (false). */
  async writeCursor(modifiedDate: string, etag: string | undefined): Promise<boolean> {
    try {
      if (etag === undefined) await this.cursor.insert('backstop', 'modifiedDate', { modifiedDate });
      else await this.cursor.put('backstop', 'modifiedDate', { modifiedDate }, etag);
      return true;
    } catch (err) {
      if (isStateConflict(err)) return false;
      throw err;
    }
  }
}

/** Rows removed per table and prune run at most, so one run stays short. */
const PRUNE_LIMIT = 5000;

/** Row and partition keys: lower-case ids (QRS GUIDs compare case-insensitively). */
function key(id: string): string {
  return id.toLowerCase();
}
