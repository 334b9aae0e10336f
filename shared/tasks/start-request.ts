/**
 * The body Sense scripts send to /v4/reloadtask/{taskId}/start (docs/butler-compatibility.md §7): an array of typed
 * items. Validated whole before anything is looked up, written or started.
 */
export type StartItem =
  | { type: 'starttaskid'; payload: { taskId: string } }
  | { type: 'starttasktag'; payload: { tag: string } }
  | { type: 'starttaskcustomproperty'; payload: { customPropertyName: string; customPropertyValue: string } }
  | {
      type: 'keyvaluestore';
      payload: { namespace: string; key: string; value: string; ttl?: string | number };
    };

const str = (maxLength: number) => ({ type: 'string', maxLength });

function item(type: string, payload: Record<string, unknown>, required: string[]) {
  return {
    type: 'object',
    required: ['type', 'payload'],
    properties: {
      type: { const: type },
      payload: { type: 'object', required, properties: payload },
    },
  };
}

export const startBodySchema = {
  type: 'array',
  maxItems: 500,
  items: {
    type: 'object',
    required: ['type', 'payload'],
    properties: {
      type: { enum: ['starttaskid', 'starttasktag', 'starttaskcustomproperty', 'keyvaluestore'] },
      payload: { type: 'object' },
    },
    // `if/then` keeps the first error about the right field instead of a vague oneOf failure.
    allOf: [
      {
        if: { properties: { type: { const: 'starttaskid' } } },
        then: item('starttaskid', { taskId: str(100) }, ['taskId']),
      },
      {
        if: { properties: { type: { const: 'starttasktag' } } },
        then: item('starttasktag', { tag: str(1000) }, ['tag']),
      },
      {
        if: { properties: { type: { const: 'starttaskcustomproperty' } } },
        then: item(
          'starttaskcustomproperty',
          { customPropertyName: str(1000), customPropertyValue: str(1000) },
          ['customPropertyName', 'customPropertyValue'],
        ),
      },
      {
        if: { properties: { type: { const: 'keyvaluestore' } } },
        then: item(
          'keyvaluestore',
          {
            namespace: { type: 'string', minLength: 1, maxLength: 100 },
            key: { type: 'string', minLength: 1, maxLength: 100 },
            // The key-value service enforces keyValueStore.maxValueBytes; this only bounds the parse.
            value: { type: 'string', maxLength: 262144 },
            ttl: { type: ['string', 'number', 'null'] },
          },
          ['namespace', 'key', 'value'],
        ),
      },
    ],
  },
};

/** Butler's TTL field: a string of milliseconds from scripts; `""`, 0, negatives or junk mean no expiry. */
export function ttlMs(ttl: string | number | null | undefined): number {
  const parsed = typeof ttl === 'number' ? ttl : Number.parseInt(ttl ?? '', 10);
  return Number.isFinite(parsed) && parsed > 0 ? Math.floor(parsed) : 0;
}
