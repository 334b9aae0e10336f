/** GET /v4/butlerping — liveness as Butler answers it (Butler #4). */
import { method, registerEndpoint } from '../shared/http/endpoint';
import { productVersion } from '../shared/version';

registerEndpoint('butlerping', 'v4/butlerping', {
  GET: method({
    enabledBy: 'butlerping',
    handle: () =>
      Promise.resolve({
        status: 200,
        body: { response: 'Butler reporting for duty', butlerVersion: productVersion },
      }),
  }),
});
