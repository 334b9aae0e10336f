/** The black-box conformance suite against the embedded host serving the product's functions. */
import { after, before } from 'node:test';
import { startProductHost, type ProductHost } from '../helpers/product-host';
import { conformanceSuite } from './conformance-suite';

let api: ProductHost;

before(async () => {
  api = await startProductHost({ settings: { FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: '1048576' } });
});
after(async () => {
  await api?.close();
});

conformanceSuite(() => ({ baseUrl: api.url, defaultKey: api.key, masterKey: api.host.keys.master }));
