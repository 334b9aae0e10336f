/** `state` (where state lives) and `keyValueStore` (the limits of the store kept there). */
import { Type } from '@sinclair/typebox';
import { optionalString, section, stringEnum } from './kit';

export const StateSection = section(
  {
    backend: stringEnum(['file', 'memory', 'table'], {
      default: 'file',
      description: 'file | memory | table (Azure Table storage, for scaled-out hosts).',
    }),
    dir: Type.String({
      minLength: 1,
      default: './data',
      description: 'Directory of the file backend (and default key directory).',
    }),
    table: section(
      {
        connectionString: optionalString(
          'Storage connection string (secret: use ${env:AzureWebJobsStorage}). Required when backend is table.',
          { writeOnly: true },
        ),
        tablePrefix: Type.String({
          pattern: '^[A-Za-z][A-Za-z0-9]{0,39}$',
          default: 'butler',
          description: 'Prefix of the table names (letters and digits, starting with a letter).',
        }),
      },
      { description: 'Azure Table storage (Azurite locally).' },
    ),
  },
  { description: 'Where state (key-value store, schedules, alert bookkeeping) lives.' },
);

export const KeyValueStoreSection = section(
  {
    maxKeysPerNamespace: Type.Integer({
      minimum: 1,
      default: 1000,
      description: 'Live keys allowed per namespace (enforced: 409 when full).',
    }),
    maxValueBytes: Type.Integer({
      minimum: 1,
      maximum: 262144,
      default: 65536,
      description: 'Largest value in bytes (UTF-8); a larger one is refused with 413.',
    }),
    maxNamespaces: Type.Integer({
      minimum: 1,
      maximum: 100000,
      default: 1000,
      description: 'Namespaces allowed; creating one more is refused with 409.',
    }),
    maxTotalBytes: Type.Integer({
      minimum: 1,
      default: 67108864,
      description:
        'Bytes (UTF-8 of keys and values) all namespaces may hold together; more is refused with 409.',
    }),
  },
  { description: 'Key-value store.' },
);
