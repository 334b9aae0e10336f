/** GET /v4/butlerping — liveness as Butler answers it (Butler #4). */
import { Type } from '@sinclair/typebox';
import { method, registerEndpoint, reply } from '../shared/http/endpoint';
import { productVersion } from '../shared/version';

registerEndpoint('butlerping', 'v4/butlerping', {
  GET: method({
    id: 'butlerping',
    summary: 'Liveness, as Butler answers it',
    enabledBy: 'butlerping',
    replies: {
      200: reply(
        'Butler reporting for duty',
        Type.Object({ response: Type.String(), butlerVersion: Type.String() }),
      ),
    },
    handle: () => ({
      status: 200,
      body: { response: 'Butler reporting for duty', butlerVersion: productVersion },
    }),
  }),
});
