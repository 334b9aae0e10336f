/** POST /v4/newrelic/event and /v4/newrelic/metric (Butler #18, #19): forward to every New Relic account. */
import { method, registerEndpoint } from '../shared/http/endpoint';
import type { NewRelicEventRequest, NewRelicMetricRequest } from '../shared/newrelic/new-relic';

/** New Relic keeps at most 255 attributes per event; Butler's limits for names and values. */
const attributesSchema = {
  type: 'array',
  maxItems: 254,
  items: {
    type: 'object',
    required: ['name', 'value'],
    properties: {
      name: { type: 'string', minLength: 1, maxLength: 254 },
      value: { type: 'string', maxLength: 4096 },
    },
  },
};

const eventBodySchema = {
  type: 'object',
  required: ['eventType'],
  properties: {
    eventType: { type: 'string', minLength: 1, maxLength: 254 },
    timestamp: { type: 'number' },
    attributes: attributesSchema,
  },
};

const metricBodySchema = {
  type: 'object',
  required: ['name', 'type', 'value'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 254 },
    type: { type: 'string', enum: ['gauge'] },
    value: { type: 'number' },
    timestamp: { type: 'number' },
    interval: { type: 'number' },
    attributes: attributesSchema,
  },
};

registerEndpoint('newrelic-event', 'v4/newrelic/event', {
  POST: method<Record<string, unknown>, NewRelicEventRequest>({
    enabledBy: 'postNewRelicEvent',
    body: eventBodySchema,
    handle: async ({ body, services }) => ({ status: 202, body: await services.newRelic.postEvent(body) }),
  }),
});

registerEndpoint('newrelic-metric', 'v4/newrelic/metric', {
  POST: method<Record<string, unknown>, NewRelicMetricRequest>({
    enabledBy: 'postNewRelicMetric',
    body: metricBodySchema,
    handle: async ({ body, services }) => ({ status: 202, body: await services.newRelic.postMetric(body) }),
  }),
});
