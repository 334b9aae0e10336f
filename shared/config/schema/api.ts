/** `api`: authentication, the endpoint flags (../endpoints.ts) and the task-start filter. */
import { Type } from '@sinclair/typebox';
import { endpointFlagsSchema } from '../endpoints';
import { NameValue } from './common';
import { listSetting, section, stringEnum } from './kit';

const names = (description: string) =>
  Type.Array(Type.String({ minLength: 1 }), { default: [], description });

const StartTaskFilter = section(
  {
    enable: Type.Boolean({
      default: false,
      description: 'When true, only tasks allowed below may be started.',
    }),
    allowTask: section(
      {
        taskId: names('Allowed task ids.'),
        tag: names('Tasks carrying one of these tags are allowed.'),
        customProperty: listSetting(NameValue, 'Tasks with one of these custom property values are allowed.'),
      },
      { description: 'Tasks allowed when the filter is enabled.' },
    ),
  },
  { description: 'Which tasks callers may start.' },
);

export const ApiSection = section(
  {
    auth: stringEnum(['function', 'anonymous'], {
      default: 'function',
      description:
        'function: every call needs a function key; anonymous: drop-in mode for existing Butler installs (logs a warning at start).',
    }),
    endpoints: endpointFlagsSchema(),
    startTaskFilter: StartTaskFilter,
  },
  { description: 'The REST API.' },
);
