/** GET /v4/app/{appId}/dump and /v4/senseappdump/{appId} — an app's definition from the Engine (Butler #29/#30). */
import { ApiError } from '../shared/http/errors';
import { method, registerEndpoint } from '../shared/http/endpoint';
import { dumpApp } from '../shared/sense/apps';
import { isGuid } from '../shared/guid';

const dump = method({
  enabledBy: 'senseAppDump',
  handle: async ({ params, services }) => {
    const appId = params.appId ?? '';
    if (!isGuid(appId)) {
      throw new ApiError('VALIDATION', `params/appId must be an app id (GUID); got '${appId.slice(0, 100)}'`);
    }
    return { status: 200, body: await dumpApp(services.sense(), appId.toLowerCase()) };
  },
});

registerEndpoint('app-dump', 'v4/app/{appId}/dump', { GET: dump });
registerEndpoint('senseappdump', 'v4/senseappdump/{appId}', { GET: dump });
