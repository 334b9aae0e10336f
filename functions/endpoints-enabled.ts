/** GET /v4/configfile/endpointsenabled — which API operations this install has switched on (Butler #1). */
import { enabledEndpointNames } from '../shared/config/load';
import { method, registerEndpoint } from '../shared/http/endpoint';

registerEndpoint('endpointsenabled', 'v4/configfile/endpointsenabled', {
  GET: method({
    enabledBy: 'apiListEnabledEndpoints',
    handle: ({ services }) => Promise.resolve({ status: 200, body: enabledEndpointNames(services.config) }),
  }),
});
