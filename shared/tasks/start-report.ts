/**
 * What a task start answers (docs/butler-compatibility.md §7), as schemas: the OpenAPI document shows
 * them and the report's TypeScript types are derived from them.
 */
import { Type, type Static } from '@sinclair/typebox';
import { StringEnum } from '../http/schemas';

const Started = Type.Object({
  taskId: Type.String(),
  taskName: Type.String(),
  executionId: Type.Union([Type.String(), Type.Null()], {
    description: "QRS's execution id; null when only the asynchronous start was available",
  }),
});

const Failed = Type.Object({
  taskId: Type.String(),
  taskName: Type.String(),
  via: StringEnum(['id', 'tag', 'customProperty'], { description: 'Which selection named the task' }),
  statusCode: Type.Number(),
  message: Type.String(),
});

export const StartReportSchema = Type.Object({
  tasksId: Type.Object({
    started: Type.Array(Started),
    invalid: Type.Array(Type.Object({ taskId: Type.String() })),
    denied: Type.Array(Type.Object({ taskId: Type.String() })),
  }),
  tasksTag: Type.Array(Started),
  tasksTagDenied: Type.Array(Type.Object({ tag: Type.String() })),
  tasksCP: Type.Array(Started),
  tasksCPDenied: Type.Array(Type.Object({ name: Type.String(), value: Type.String() })),
  tasksFailed: Type.Array(Failed),
});

export type StartedTask = Static<typeof Started>;
export type FailedTask = Static<typeof Failed>;
export type Via = FailedTask['via'];
export type StartReport = Static<typeof StartReportSchema>;
