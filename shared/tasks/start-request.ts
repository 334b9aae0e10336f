/**
 * The body Sense scripts send to /v4/reloadtask/{taskId}/start (docs/butler-compatibility.md §7): an array of typed
 * items. Validated whole before anything is looked up, written or started.
 */
import { Type, type Static, type TObject } from '@sinclair/typebox';

const Str = (maxLength: number) => Type.String({ maxLength });

/** One payload schema per item type: the item's TypeScript type and its validation both come from here. */
const PAYLOADS = {
  starttaskid: Type.Object({ taskId: Str(100) }),
  starttasktag: Type.Object({ tag: Str(1000) }),
  starttaskcustomproperty: Type.Object({ customPropertyName: Str(1000), customPropertyValue: Str(1000) }),
  keyvaluestore: Type.Object({
    namespace: Type.String({ minLength: 1, maxLength: 100 }),
    key: Type.String({ minLength: 1, maxLength: 100 }),
    // The key-value service enforces keyValueStore.maxValueBytes; this only bounds the parse.
    value: Type.String({ maxLength: 262144 }),
    // A type list (not anyOf) keeps Ajv's coercion of a script's value as it was.
    ttl: Type.Optional(Type.Unsafe<string | number | null>({ type: ['string', 'number', 'null'] })),
  }),
};

type Payloads = typeof PAYLOADS;
export type StartItem = {
  [K in keyof Payloads]: { type: K; payload: Static<Payloads[K]> };
}[keyof Payloads];

function item(type: string, payload: TObject) {
  return {
    type: 'object',
    required: ['type', 'payload'],
    properties: { type: { const: type }, payload },
  };
}

/** `if/then` per type keeps the first error about the right field instead of a vague oneOf failure. */
export const StartBody = Type.Unsafe<StartItem[]>({
  type: 'array',
  maxItems: 500,
  items: {
    type: 'object',
    required: ['type', 'payload'],
    properties: {
      type: { enum: Object.keys(PAYLOADS) },
      payload: { type: 'object' },
    },
    allOf: Object.entries(PAYLOADS).map(([type, payload]) => ({
      if: { properties: { type: { const: type } } },
      then: item(type, payload),
    })),
  },
});

/** Butler's TTL field: a string of milliseconds from scripts; `""`, 0, negatives or junk mean no expiry. */
export function ttlMs(ttl: string | number | null | undefined): number {
  const parsed = typeof ttl === 'number' ? ttl : Number.parseInt(ttl ?? '', 10);
  return Number.isFinite(parsed) && parsed > 0 ? Math.floor(parsed) : 0;
}
