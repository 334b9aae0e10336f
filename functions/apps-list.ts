/** GET /v4/apps/list and /v4/senselistapps — apps visible to the Engine user (Butler #31/#32). */
import { method, registerEndpoint } from '../shared/http/endpoint';
import { listApps } from '../shared/sense/apps';

const list = method({
  enabledBy: 'senseListApps',
  handle: async ({ services }) => ({ status: 200, body: await listApps(services.sense()) }),
});

registerEndpoint('apps-list', 'v4/apps/list', { GET: list });
registerEndpoint('senselistapps', 'v4/senselistapps', { GET: list });
