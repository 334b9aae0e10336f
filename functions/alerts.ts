/**
 * Reload-task alerts: the HTTP trigger QRS calls with change notifications (the function key travels
 * as `?code=`, QRS cannot add headers) and the timer that re-subscribes and runs the backstop.
 * docs/alerts.md describes the whole flow.
 */
import { app, type HttpRequest, type HttpResponseInit } from '@azure/functions';
import { CALLBACK_FUNCTION, CALLBACK_ROUTE } from '../shared/alerts/callback-key';
import { tickSchedule } from '../shared/alerts/tick-schedule';
import { getServices, importedConfig } from '../shared/bootstrap';
import { readJsonBody } from '../shared/http/body';
import { ApiError, isApiError } from '../shared/http/errors';
import { documentRoute } from '../shared/http/registry';

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' };

async function callback(req: HttpRequest): Promise<HttpResponseInit> {
  try {
    const alerts = getServices().alerts;
    if (!alerts)
      throw new ApiError('ENDPOINT_DISABLED', 'Reload alerts are disabled (alerts.enabled is false)');
    const body = await readJsonBody(req);
    const { accepted } = alerts.acceptCallback(body);
    // Answer at once: QRS should not wait for enrichment and delivery.
    return { status: 202, headers: JSON_HEADERS, body: JSON.stringify({ accepted }) };
  } catch (err) {
    if (!isApiError(err)) throw err;
    return { status: err.statusCode, headers: JSON_HEADERS, body: JSON.stringify(err.toBody()) };
  }
}

app.http(CALLBACK_FUNCTION, {
  route: CALLBACK_ROUTE,
  methods: ['POST'],
  // Always keyed, also with api.auth anonymous: the URL QRS calls is the only caller.
  authLevel: 'function',
  handler: callback,
});

// Outside the spec mechanism (its own key rule, no method override), so documented by hand.
// `x-method-override: false`: registered for POST alone (the manifest test reads this).
documentRoute(CALLBACK_ROUTE, {
  'x-method-override': false,
  post: {
    operationId: 'alertsCallback',
    summary: 'QRS change-notification callback for reload alerts (called by QRS, key in ?code=)',
    security: [{ functionKeyQuery: [] }],
    requestBody: {
      required: true,
      content: {
        'application/json': {
          schema: {
            type: 'array',
            maxItems: 5000,
            items: {
              type: 'object',
              required: ['objectType', 'objectID'],
              properties: {
                objectType: { type: 'string' },
                objectID: { type: 'string' },
                changeType: { oneOf: [{ type: 'integer' }, { type: 'string' }] },
                changedProperties: { type: 'array', items: { type: 'string' } },
              },
            },
          },
        },
      },
    },
    responses: {
      '202': { description: '{"accepted": n}: execution results queued for alert processing' },
      '400': { description: 'VALIDATION or INVALID_JSON' },
      '404': { description: 'ENDPOINT_DISABLED (alerts.enabled is false)' },
    },
  },
});

// Registered only when alerts are on, so a host without alerts runs no timer at all.
if (importedConfig?.alerts.enabled) {
  const { backstopSeconds, resubscribeSeconds, callbackBaseUrl } = importedConfig.alerts;
  const period = callbackBaseUrl ? Math.min(backstopSeconds, resubscribeSeconds) : backstopSeconds;
  app.timer('alertsTimer', {
    schedule: tickSchedule(period),
    runOnStartup: true,
    handler: async () => {
      await getServices().alerts?.tick();
    },
  });
}
