/** POST /v4/newrelic/event and /v4/newrelic/metric (Butler #18, #19): forward to every New Relic account. */
import { Type } from '@sinclair/typebox';
import { method, registerEndpoint, reply } from '../shared/http/endpoint';
import { StringEnum } from '../shared/http/schemas';

/** New Relic keeps at most 255 attributes per event; Butler's limits for names and values. */
const Attributes = Type.Array(
  Type.Object({
    name: Type.String({ minLength: 1, maxLength: 254 }),
    value: Type.String({ maxLength: 4096 }),
  }),
  { maxItems: 254 },
);

const Timestamp = Type.Number({ description: 'ms since 1970; absent or <= 0: now' });

const EventBody = Type.Object({
  eventType: Type.String({ minLength: 1, maxLength: 254 }),
  timestamp: Type.Optional(Timestamp),
  attributes: Type.Optional(Attributes),
});

const MetricBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 254 }),
  // An enum (not a const) keeps Butler's message: `body/type must be equal to one of the allowed values`.
  type: StringEnum(['gauge']),
  value: Type.Number(),
  timestamp: Type.Optional(Timestamp),
  interval: Type.Optional(Type.Number({ description: 'Accepted and ignored (gauge has no interval)' })),
  attributes: Type.Optional(Attributes),
});

const Result = Type.Object({ newRelicResultCode: Type.Number(), newRelicResultText: Type.String() });
const ERRORS = ['NEW_RELIC_ERROR', 'NOT_CONFIGURED', 'UPSTREAM_TIMEOUT'] as const;

registerEndpoint('newrelic-event', 'v4/newrelic/event', {
  POST: method({
    id: 'newrelic-event',
    summary: 'Send an event to every New Relic account (newRelic.accounts)',
    enabledBy: 'postNewRelicEvent',
    body: EventBody,
    replies: { 202: reply("New Relic's answer", Result) },
    errors: ERRORS,
    handle: async ({ body, services }) => ({ status: 202, body: await services.newRelic.postEvent(body) }),
  }),
});

registerEndpoint('newrelic-metric', 'v4/newrelic/metric', {
  POST: method({
    id: 'newrelic-metric',
    summary: 'Send a gauge metric to every New Relic account (newRelic.accounts)',
    enabledBy: 'postNewRelicMetric',
    body: MetricBody,
    replies: { 202: reply("New Relic's answer", Result) },
    errors: ERRORS,
    handle: async ({ body, services }) => ({ status: 202, body: await services.newRelic.postMetric(body) }),
  }),
});
