/** GET /v4/configfile/endpointsenabled — which API operations this install has switched on (Butler #1). */
import { Type } from '@sinclair/typebox';
import { enabledEndpointNames } from '../shared/config/load';
import { method, registerEndpoint, reply } from '../shared/http/endpoint';

registerEndpoint('endpointsenabled', 'v4/configfile/endpointsenabled', {
  GET: method({
    id: 'endpointsenabled',
    summary: 'Names of the enabled API operations (api.endpoints)',
    enabledBy: 'apiListEnabledEndpoints',
    replies: { 200: reply('Array of names', Type.Array(Type.String())) },
    handle: ({ services }) => ({ status: 200, body: enabledEndpointNames(services.config) }),
  }),
});
