/** GET /v4/app/{appId}/dump and /v4/senseappdump/{appId} — an app's definition from the Engine (Butler #29/#30). */
import { Type } from '@sinclair/typebox';
import { method, registerEndpoint, reply } from '../shared/http/endpoint';
import { Guid } from '../shared/http/schemas';

const dump = (id: string) =>
  method({
    id,
    summary: "An app's definition from the Engine",
    enabledBy: 'senseAppDump',
    params: Type.Object({ appId: Guid }),
    replies: {
      200: reply(
        'properties, loadScript, lineage, sheets, stories, masterobjects, appprops, dataconnections, dimensions, measures, bookmarks, embeddedmedia, snapshots, fields, variables, appId',
        Type.Object({}, { additionalProperties: true }),
      ),
    },
    errors: ['APP_NOT_FOUND', 'NOT_CONFIGURED', 'SENSE_UNAVAILABLE', 'SENSE_ERROR', 'UPSTREAM_TIMEOUT'],
    handle: async ({ params, services }) => ({
      status: 200,
      body: await services.apps.dump(params.appId.toLowerCase()),
    }),
  });

registerEndpoint('app-dump', 'v4/app/{appId}/dump', { GET: dump('app-dump') });
registerEndpoint('senseappdump', 'v4/senseappdump/{appId}', { GET: dump('senseappdump') });
