/**
 * The QRS calls alerts make (docs/alerts.md): execution results by id and modified since a cursor,
 * task and app metadata, the app owner's e-mail, the script log, and notification subscriptions.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { QrsClient } from '../sense/qrs';
import { SenseError } from '../sense/errors';
import { isGuid, qrsString } from '../sense/filter';

export const EMPTY_GUID = '00000000-0000-0000-0000-000000000000';

/** The fields of an ExecutionResult row alerts read (unknown types are checked where used). */
export interface ExecutionResultRow {
  id: string;
  taskID: string;
  executionID: string;
  appID: string;
  executingNodeName?: string;
  status: unknown;
  startTime?: string;
  stopTime?: string;
  duration?: number;
  fileReferenceID?: string;
  scriptLogAvailable?: boolean;
  scriptLogSize?: number;
  modifiedDate: string;
  details?: { detailCreatedDate?: string; message?: string; detailsType?: number }[];
}

export interface TaskRow {
  id: string;
  name: string;
  taskType?: number;
  tags?: { name?: string }[];
  customProperties?: { value?: string; definition?: { name?: string } }[];
  isManuallyTriggered?: boolean;
  isPartialReload?: boolean;
  maxRetries?: number;
  modifiedDate?: string;
  modifiedByUserName?: string;
  app?: { id?: string; name?: string } | null;
}

export interface AppRow {
  id: string;
  name: string;
  description?: string;
  stream?: { name?: string } | null;
  owner?: { id?: string; userId?: string; userDirectory?: string; name?: string } | null;
}

export interface UserRow {
  attributes?: { attributeType?: string; attributeValue?: string }[];
}

/** Up to this many rows of one backstop query are handled per run; the cursor moves past them only. */
export const BACKSTOP_PAGE = 500;
const SCRIPT_LOG_ATTEMPTS = 3;

function isResultRow(row: unknown): row is ExecutionResultRow {
  const r = row as Partial<ExecutionResultRow> | null;
  return typeof r?.id === 'string' && typeof r.taskID === 'string' && typeof r.modifiedDate === 'string';
}

function guidValue(body: unknown): string | undefined {
  if (typeof body === 'string') return body;
  const value = (body as { value?: unknown } | null)?.value;
  return typeof value === 'string' ? value : undefined;
}

function failed(method: string, path: string, status: number): SenseError {
  return new SenseError('SENSE_ERROR', `QRS ${method} ${path} answered ${status}`, {
    upstreamStatus: status,
  });
}

export class AlertQrs {
  /** Which script-log reference call works on this QRS (remembered after the first success). */
  private scriptLogApi: 'scriptlogfile' | 'scriptlog' | undefined;

  constructor(
    private readonly qrs: () => QrsClient,
    private readonly opts: { scriptLogWaitMs: number; scriptLogRetryMs: number },
  ) {}

  /** undefined when QRS does not know the id (pruned or never existed). */
  async executionResult(id: string): Promise<ExecutionResultRow | undefined> {
    const path = `/qrs/executionresult/${encodeURIComponent(id)}`;
    const res = await this.qrs().request('GET', path);
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw failed('GET', path, res.status);
    return isResultRow(res.body) ? res.body : undefined;
  }

  /** Rows modified after `since`, oldest first, at most BACKSTOP_PAGE. */
  async resultsModifiedSince(since: string): Promise<ExecutionResultRow[]> {
    const rows = await this.qrs().getJson<unknown>('/qrs/executionresult/full', {
      filter: `modifiedDate gt ${qrsString(since)}`,
      orderby: 'modifiedDate asc',
    });
    if (!Array.isArray(rows))
      throw new SenseError('SENSE_ERROR', 'QRS answered execution results with a non-array');
    return rows
      .filter(isResultRow)
      .sort((a, b) => Date.parse(a.modifiedDate) - Date.parse(b.modifiedDate))
      .slice(0, BACKSTOP_PAGE);
  }

  async task(id: string): Promise<TaskRow | undefined> {
    if (!isGuid(id)) return undefined;
    const rows = await this.qrs().getJson<unknown>('/qrs/task/full', { filter: `id eq ${id}` });
    const row = Array.isArray(rows) ? (rows[0] as TaskRow | undefined) : undefined;
    return typeof row?.id === 'string' && typeof row.name === 'string' ? row : undefined;
  }

  async app(id: string): Promise<AppRow | undefined> {
    const path = `/qrs/app/${encodeURIComponent(id)}`;
    const res = await this.qrs().request<AppRow>('GET', path);
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw failed('GET', path, res.status);
    return res.body;
  }

  /** The owner's e-mail attribute (case-insensitive type), or null. */
  async userEmail(userId: string): Promise<string | null> {
    const path = `/qrs/user/${encodeURIComponent(userId)}`;
    const res = await this.qrs().request<UserRow>('GET', path);
    if (res.status !== 200) return null;
    const attribute = res.body.attributes?.find((a) => a.attributeType?.toLowerCase() === 'email');
    return attribute?.attributeValue ?? null;
  }

  /**
   * The script log of a reload-task result: reference (current API, then the older one), a short wait
   * for the download id to become valid, the download; the whole sequence is retried a few times.
   */
  async scriptLog(taskId: string, result: ExecutionResultRow): Promise<string | undefined> {
    if (result.fileReferenceID === EMPTY_GUID && result.scriptLogAvailable !== true) return undefined;
    for (let attempt = 1; ; attempt++) {
      try {
        // undefined: QRS has no log reference for this result, which waiting does not change.
        const text = await this.scriptLogOnce(taskId, result);
        return text?.replace(/^\uFEFF/, '');
      } catch (err) {
        if (attempt >= SCRIPT_LOG_ATTEMPTS) throw err;
      }
      await delay(this.opts.scriptLogRetryMs);
    }
  }

  private async scriptLogOnce(taskId: string, result: ExecutionResultRow): Promise<string | undefined> {
    const base = `/qrs/reloadtask/${encodeURIComponent(taskId)}`;
    const tries: ['scriptlogfile' | 'scriptlog', Record<string, string>][] = [
      ['scriptlogfile', { executionResultId: result.id }],
      ['scriptlog', { fileReferenceId: result.fileReferenceID ?? EMPTY_GUID }],
    ];
    if (this.scriptLogApi === 'scriptlog') tries.reverse();
    let reference: string | undefined;
    for (const [api, query] of tries) {
      const res = await this.qrs().request('GET', `${base}/${api}`, { query });
      reference = res.status === 200 ? guidValue(res.body) : undefined;
      if (reference) {
        this.scriptLogApi = api;
        break;
      }
    }
    if (!reference) return undefined;
    if (this.opts.scriptLogWaitMs > 0) await delay(this.opts.scriptLogWaitMs);
    const path = `/qrs/download/reloadtask/${encodeURIComponent(reference)}/scriptlog.txt`;
    const res = await this.qrs().request<unknown>('GET', path);
    if (res.status !== 200) throw failed('GET', path, res.status);
    return typeof res.body === 'string' ? res.body : JSON.stringify(res.body);
  }

  /** Registers a change-notification subscription; answers the handle. */
  async subscribe(callbackUrl: string, filter: string): Promise<string> {
    const path = '/qrs/notification';
    const res = await this.qrs().request('POST', path, {
      query: { name: 'ExecutionResult', changetype: 'Update', ...(filter ? { filter } : {}) },
      body: callbackUrl,
    });
    const handle = res.status >= 200 && res.status < 300 ? guidValue(res.body) : undefined;
    if (!handle) throw failed('POST', path, res.status);
    return handle;
  }

  async unsubscribe(handle: string): Promise<void> {
    const path = '/qrs/notification';
    const res = await this.qrs().request('DELETE', path, { query: { handle } });
    if (res.status !== 200 && res.status !== 204 && res.status !== 404)
      throw failed('DELETE', path, res.status);
  }
}
