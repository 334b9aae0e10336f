/**
 * QRS change notifications as the simulator makes them (docs/sense-facts.md §8): subscriptions registered
 * with `POST /qrs/notification?name=…&changetype=…` (body: the callback URL as a JSON string), a GUID
 * handle, and for every matching change a POST of an array of change objects to the URL. Subscriptions
 * live in memory and vanish on a simulated QRS restart.
 */
import { randomUUID } from 'node:crypto';
import { request } from 'undici';
import { compileFilter } from './filter';

export type ChangeTypeName = 'Add' | 'Update' | 'Delete';
const CHANGE_TYPES: Record<ChangeTypeName, number> = { Add: 1, Update: 2, Delete: 3 };

export interface NotificationSubscription {
  handle: string;
  /** Entity type, e.g. ExecutionResult (compared case-insensitively). */
  name: string;
  changeType: ChangeTypeName | undefined;
  filter: string | undefined;
  url: string;
}

export interface CallbackRecord {
  url: string;
  body: unknown[];
  /** HTTP status of the callee, or 0 when the call failed. */
  status: number;
}

export interface NotificationKnobs {
  /** "Do not call back": changes are recorded but no callback is made (a lost notification). */
  suppress: boolean;
  /** Send `changeType` as the enum name instead of the number. */
  changeTypeAsName: boolean;
  /** Post every change this many times (QRS or network duplicates). */
  copies: number;
}

export class NotificationHub {
  readonly subscriptions = new Map<string, NotificationSubscription>();
  readonly callbacks: CallbackRecord[] = [];
  readonly knobs: NotificationKnobs = { suppress: false, changeTypeAsName: false, copies: 1 };

  /** Registration as QRS answers it: 400 for a missing name or URL, else the handle. */
  subscribe(
    name: string | undefined,
    changeType: string | undefined,
    filter: string | undefined,
    body: unknown,
  ): { status: number; handle?: string; text?: string } {
    if (!name) return { status: 400, text: 'name is required' };
    if (typeof body !== 'string' || !/^https?:\/\//i.test(body)) {
      return { status: 400, text: 'The body must be a JSON string holding the callback URL' };
    }
    const type = changeType ? canonicalChangeType(changeType) : undefined;
    if (changeType && !type) return { status: 400, text: `Unknown changetype ${changeType}` };
    if (filter) compileFilter(filter); // a syntax error answers 400 like a list route
    const handle = randomUUID();
    this.subscriptions.set(handle, { handle, name, changeType: type, filter, url: body });
    return { status: 200, handle };
  }

  unsubscribe(handle: string | undefined): boolean {
    return handle !== undefined && this.subscriptions.delete(handle.toLowerCase());
  }

  /** A QRS restart: every subscription is forgotten. */
  forgetAll(): void {
    this.subscriptions.clear();
  }

  /** Calls back every matching subscription; resolves when every callback has answered or failed. */
  async notify(
    objectType: string,
    row: Record<string, unknown> & { id: string },
    changeType: ChangeTypeName,
    changedProperties: string[],
  ): Promise<void> {
    const targets = [...this.subscriptions.values()].filter(
      (s) =>
        s.name.toLowerCase() === objectType.toLowerCase() &&
        (s.changeType === undefined || s.changeType === changeType) &&
        (changeType === 'Delete' || !s.filter || compileFilter(s.filter)(row)),
    );
    if (this.knobs.suppress) return;
    const now = new Date().toISOString();
    const change = {
      changeType: this.knobs.changeTypeAsName ? changeType : CHANGE_TYPES[changeType],
      objectType,
      objectID: row.id,
      changedProperties,
      engineID: '',
      engineType: '',
      originatorNodeID: '5e0f4e8f-9a3c-4c43-8c2e-2b1f4d7a9c01',
      originatorHostName: 'SENSE-NODE1',
      originatorContextID: null,
      createdDate: now,
      modifiedDate: now,
      schemaPath: 'ExternalChangeInfo',
    };
    const calls: Promise<void>[] = [];
    for (const target of targets) {
      for (let i = 0; i < this.knobs.copies; i++) calls.push(this.post(target.url, [change]));
    }
    await Promise.all(calls);
  }

  private async post(url: string, body: unknown[]): Promise<void> {
    const record: CallbackRecord = { url, body, status: 0 };
    this.callbacks.push(record);
    try {
      const res = await request(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        headersTimeout: 10_000,
        bodyTimeout: 10_000,
      });
      await res.body.dump();
      record.status = res.statusCode;
    } catch {
      record.status = 0;
    }
  }
}

function canonicalChangeType(value: string): ChangeTypeName | undefined {
  const lower = value.toLowerCase();
  return (Object.keys(CHANGE_TYPES) as ChangeTypeName[]).find(
    (name) => name.toLowerCase() === lower || String(CHANGE_TYPES[name]) === lower,
  );
}
