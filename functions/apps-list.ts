/** GET /v4/apps/list and /v4/senselistapps — apps visible to the Engine user (Butler #31/#32). */
import { Type } from '@sinclair/typebox';
import { method, registerEndpoint, reply } from '../shared/http/endpoint';

const list = (id: string) =>
  method({
    id,
    summary: 'Apps visible to the Engine user',
    enabledBy: 'senseListApps',
    replies: {
      200: reply(
        'Id and name of every app',
        Type.Array(Type.Object({ id: Type.String(), name: Type.String() })),
      ),
    },
    errors: ['NOT_CONFIGURED', 'SENSE_UNAVAILABLE', 'SENSE_ERROR', 'UPSTREAM_TIMEOUT'],
    handle: async ({ services }) => ({ status: 200, body: await services.apps.list() }),
  });

registerEndpoint('apps-list', 'v4/apps/list', { GET: list('apps-list') });
registerEndpoint('senselistapps', 'v4/senselistapps', { GET: list('senselistapps') });
