/**
 * QRS routes (docs/sense-facts.md §4, §11). Each handler reads the live fixture model and answers a
 * status plus JSON or text; list routes apply `filter` (a syntax error propagates as FilterSyntaxError).
 */
import { randomUUID } from 'node:crypto';
import { EMPTY_GUID, finishedResult } from './execution';
import { compileFilter, resolvePath } from './filter';
import {
  appCondensedRow,
  appFullRow,
  customPropertyDefinitionRows,
  findById,
  taskCondensedRow,
  taskFullRow,
  userFullRow,
} from './qrs-rows';
import type { NotificationHub } from './notifications';
import { queryValue } from './request-parts';
import type { SenseFixtures, SimExecutionResult, SimTask } from './types';

export interface QrsContext {
  fixtures: SenseFixtures;
  method: string;
  path: string;
  query: Record<string, string>;
  /** Decoded filter text, if any. */
  filter: string | undefined;
  body: unknown;
  /** Capture groups of the route pattern. */
  params: string[];
  /** One-shot script-log download ids → log text. */
  downloads: Map<string, string>;
  notifications: NotificationHub;
}

export type QrsAnswer = { status: number; json?: unknown; text?: string };

interface Route {
  method: string;
  pattern: RegExp;
  handle: (ctx: QrsContext) => QrsAnswer;
}

const ID = '([^/]+)';
const notFound = (): QrsAnswer => ({ status: 404, text: 'Not found' });
const ok = (json: unknown): QrsAnswer => ({ status: 200, json });

/** Applies `filter` and `orderby=<prop> [asc|desc]` to full rows, then projects them. */
function list<T>(ctx: QrsContext, rows: T[], project: (row: T) => unknown = (r) => r): unknown[] {
  const matches = compileFilter(ctx.filter ?? '');
  const selected = rows.filter((row) => matches(row));
  const orderby = queryValue(ctx.query, 'orderby')?.trim();
  if (orderby) {
    const [prop = '', direction = 'asc'] = orderby.split(/\s+/);
    const sign = direction.toLowerCase() === 'desc' ? -1 : 1;
    const key = (row: T): unknown => resolvePath(row, prop.split('.'))[0];
    selected.sort((a, b) => sign * compareValues(key(a), key(b)));
  }
  return selected.map(project);
}

function compareValues(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const text = (v: unknown): string => (typeof v === 'string' || typeof v === 'boolean' ? String(v) : '');
  return text(a).localeCompare(text(b));
}

function count(ctx: QrsContext, rows: unknown[]): QrsAnswer {
  return ok({ value: list(ctx, rows).length });
}

const fullTasks = (ctx: QrsContext, types?: number[]) =>
  ctx.fixtures.tasks
    .filter((t) => types === undefined || types.includes(t.taskType))
    .map((t) => taskFullRow(ctx.fixtures, t));

function taskById(ctx: QrsContext, types?: number[]): SimTask | undefined {
  const task = findById(ctx.fixtures.tasks, ctx.params[0] ?? '');
  return task && (types === undefined || types.includes(task.taskType)) ? task : undefined;
}

/** Records a finished run so follow-up reads (lastExecutionResult, executionresult) see the start. */
function recordStart(ctx: QrsContext, task: SimTask): string {
  if (task.startBehaviour === 'notStarted') return EMPTY_GUID;
  const executionId = randomUUID();
  const startTime = new Date().toISOString();
  ctx.fixtures.executionResults.push(
    finishedResult({ task, executionId, status: 7, startTime, durationMs: 0 }),
  );
  return executionId;
}

function taskEntity(path: string, types: number[] | undefined): Route[] {
  return [
    {
      method: 'GET',
      pattern: new RegExp(`^/qrs/${path}/full$`),
      handle: (c) => ok(list(c, fullTasks(c, types))),
    },
    {
      method: 'GET',
      pattern: new RegExp(`^/qrs/${path}/count$`),
      handle: (c) => count(c, fullTasks(c, types)),
    },
    {
      method: 'GET',
      pattern: new RegExp(`^/qrs/${path}/${ID}$`),
      handle: (c) => {
        const task = taskById(c, types);
        return task ? ok(taskFullRow(c.fixtures, task)) : notFound();
      },
    },
  ];
}

/** Hands out a one-shot download id for the log of `result` (docs/sense-facts.md §7). */
function scriptLogReference(ctx: QrsContext, result: SimExecutionResult | undefined): QrsAnswer {
  if (!result || !result.scriptLogAvailable || result.fileReferenceID === EMPTY_GUID) return notFound();
  const downloadId = randomUUID();
  ctx.downloads.set(downloadId, ctx.fixtures.scriptLogs?.[result.id] ?? generatedScriptLog(result));
  return ok({ value: downloadId });
}

function generatedScriptLog(result: SimExecutionResult): string {
  const stamp = result.startTime.replace(/[-:]/g, '').replace('Z', '+0000');
  const lines = [
    `${stamp} Execution started.`,
    `${stamp} Qlik Sense Server Version 14.187.4`,
    `${stamp} Reload ID: ${result.executionID}`,
    `${stamp} ${result.status === 7 ? 'Execution finished.' : 'Execution Failed'}`,
  ];
  return lines.join('\r\n') + '\r\n';
}

const resultsOfTask = (ctx: QrsContext): SimExecutionResult[] => {
  const taskId = (ctx.params[0] ?? '').toLowerCase();
  return ctx.fixtures.executionResults.filter((r) => r.taskID.toLowerCase() === taskId);
};

const scriptLogRoutes: Route[] = [
  {
    method: 'GET',
    pattern: new RegExp(`^/qrs/reloadtask/${ID}/scriptlog$`),
    handle: (c) => {
      const ref = (queryValue(c.query, 'fileReferenceId') ?? '').toLowerCase();
      return scriptLogReference(
        c,
        ref === '' ? undefined : resultsOfTask(c).find((r) => r.fileReferenceID.toLowerCase() === ref),
      );
    },
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/qrs/reloadtask/${ID}/scriptlogfile$`),
    handle: (c) => {
      const id = (queryValue(c.query, 'executionResultId') ?? '').toLowerCase();
      return scriptLogReference(
        c,
        id === '' ? undefined : resultsOfTask(c).find((r) => r.id.toLowerCase() === id),
      );
    },
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/qrs/download/reloadtask/${ID}/[^/]+$`),
    handle: (c) => {
      const downloadId = c.params[0] ?? '';
      const text = c.downloads.get(downloadId);
      if (text === undefined) return notFound();
      c.downloads.delete(downloadId);
      return { status: 200, text };
    },
  },
];

const executionResultRoutes: Route[] = [
  {
    method: 'GET',
    pattern: /^\/qrs\/executionresult(?:\/full)?$/,
    handle: (c) => ok(list(c, c.fixtures.executionResults)),
  },
  {
    method: 'GET',
    pattern: /^\/qrs\/executionresult\/count$/,
    handle: (c) => count(c, c.fixtures.executionResults),
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/qrs/executionresult/${ID}$`),
    handle: (c) => {
      const row = findById(c.fixtures.executionResults, c.params[0] ?? '');
      return row ? ok(row) : notFound();
    },
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/qrs/executionsession/${ID}$`),
    handle: (c) => {
      const id = (c.params[0] ?? '').toLowerCase();
      const session = c.fixtures.executionSessions.find(
        (s) => s.id.toLowerCase() === id || s.executionId.toLowerCase() === id,
      );
      return session ? ok({ ...session, privileges: null, schemaPath: 'ExecutionSession' }) : notFound();
    },
  },
];

const taskRoutes: Route[] = [
  {
    method: 'GET',
    pattern: /^\/qrs\/task$/,
    handle: (c) => ok(list(c, fullTasks(c), (r) => condense(c, r))),
  },
  {
    method: 'GET',
    pattern: /^\/qrs\/reloadtask$/,
    handle: (c) => ok(list(c, fullTasks(c, [0]), (r) => condense(c, r))),
  },
  ...taskEntity('task', undefined),
  // reloadtask/{id} also answers preload and distribute tasks, which Butler reads through it.
  ...taskEntity('reloadtask', [0]).slice(0, 2),
  ...taskEntity('reloadtask', [0, 3, 4]).slice(2),
  ...taskEntity('externalprogramtask', [1]),
  ...taskEntity('usersynctask', [2]),
  {
    method: 'POST',
    pattern: new RegExp(`^/qrs/task/${ID}/start$`),
    handle: (c) => {
      const task = taskById(c);
      if (!task) return notFound();
      recordStart(c, task);
      return { status: 204 };
    },
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/qrs/task/${ID}/start/synchronous$`),
    handle: (c) => {
      const task = taskById(c);
      return task ? ok({ value: recordStart(c, task) }) : notFound();
    },
  },
];

function condense(ctx: QrsContext, row: Record<string, unknown>): unknown {
  const task = findById(ctx.fixtures.tasks, String(row.id));
  return task ? taskCondensedRow(task) : row;
}

const appRoutes: Route[] = [
  {
    method: 'GET',
    pattern: /^\/qrs\/app$/,
    handle: (c) => ok(list(c, fullApps(c), (r) => appCondensedFromFull(c, r))),
  },
  { method: 'GET', pattern: /^\/qrs\/app\/full$/, handle: (c) => ok(list(c, fullApps(c))) },
  { method: 'GET', pattern: /^\/qrs\/app\/count$/, handle: (c) => count(c, fullApps(c)) },
  {
    method: 'GET',
    pattern: new RegExp(`^/qrs/app/${ID}$`),
    handle: (c) => {
      const app = findById(c.fixtures.apps, c.params[0] ?? '');
      return app ? ok(appFullRow(c.fixtures, app)) : notFound();
    },
  },
];

function fullApps(ctx: QrsContext): Record<string, unknown>[] {
  return ctx.fixtures.apps.map((a) => appFullRow(ctx.fixtures, a));
}

function appCondensedFromFull(ctx: QrsContext, row: Record<string, unknown>): unknown {
  const app = findById(ctx.fixtures.apps, String(row.id));
  return app ? appCondensedRow(app) : row;
}

const otherRoutes: Route[] = [
  {
    method: 'GET',
    pattern: /^\/qrs\/user\/full$/,
    handle: (c) =>
      ok(
        list(
          c,
          c.fixtures.users.map((u) => userFullRow(c.fixtures, u.id)),
        ),
      ),
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/qrs/user/${ID}$`),
    handle: (c) => {
      const row = userFullRow(c.fixtures, c.params[0] ?? '');
      return row ? ok(row) : notFound();
    },
  },
  {
    method: 'GET',
    pattern: /^\/qrs\/custompropertydefinition(?:\/full)?$/,
    handle: (c) => ok(list(c, customPropertyDefinitionRows(c.fixtures))),
  },
  {
    method: 'GET',
    pattern: /^\/qrs\/about$/,
    handle: () =>
      ok({
        buildVersion: '14.187.4.0',
        buildDate: '8/15/2024 12:00:00 AM',
        databaseProvider: 'Devart.Data.PostgreSql',
        nodeType: 1,
        sharedPersistence: true,
        requiresBootstrap: false,
        singleNodeOnly: false,
        schemaPath: 'About',
      }),
  },
];

const notificationRoutes: Route[] = [
  {
    method: 'POST',
    pattern: /^\/qrs\/notification$/,
    handle: (c) => {
      const answer = c.notifications.subscribe(
        queryValue(c.query, 'name'),
        queryValue(c.query, 'changetype'),
        c.filter,
        c.body,
      );
      return answer.handle ? ok({ value: answer.handle }) : { status: answer.status, text: answer.text };
    },
  },
  {
    method: 'DELETE',
    pattern: /^\/qrs\/notification$/,
    handle: (c) =>
      c.notifications.unsubscribe(queryValue(c.query, 'handle')) ? { status: 204 } : notFound(),
  },
];

const ROUTES: Route[] = [
  ...notificationRoutes,
  ...taskRoutes,
  ...scriptLogRoutes,
  ...executionResultRoutes,
  ...appRoutes,
  ...otherRoutes,
];

/** Finds and runs the route; unknown paths → 404, known path with another method → 405. */
export function routeQrs(ctx: Omit<QrsContext, 'params'>): QrsAnswer {
  const path = ctx.path.length > 1 ? ctx.path.replace(/\/+$/, '') : ctx.path;
  let pathKnown = false;
  for (const route of ROUTES) {
    const match = new RegExp(route.pattern.source, 'i').exec(path);
    if (!match) continue;
    pathKnown = true;
    if (route.method !== ctx.method.toUpperCase()) continue;
    return route.handle({ ...ctx, params: match.slice(1) });
  }
  return pathKnown ? { status: 405, text: 'Method not allowed' } : notFound();
}
