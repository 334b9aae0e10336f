/** GET /v4/base62tobase16 and /v4/base16tobase62 (Butler #2, #3). */
import { base16ToBase62, base62ToBase16 } from '../shared/convert/base62';
import { method, registerEndpoint } from '../shared/http/endpoint';

// Qlik ids are 20-40 digits; the cap keeps BigInt work bounded for hostile input.
const MAX_DIGITS = 1000;

function querySchema(field: string) {
  return {
    type: 'object',
    required: [field],
    properties: { [field]: { type: 'string', maxLength: MAX_DIGITS } },
  };
}

registerEndpoint('base62tobase16', 'v4/base62tobase16', {
  GET: method<{ base62: string }>({
    enabledBy: 'base62ToBase16',
    query: querySchema('base62'),
    handle: ({ query }) =>
      Promise.resolve({ status: 200, body: { base62: query.base62, base16: base62ToBase16(query.base62) } }),
  }),
});

registerEndpoint('base16tobase62', 'v4/base16tobase62', {
  GET: method<{ base16: string }>({
    enabledBy: 'base16ToBase62',
    query: querySchema('base16'),
    handle: ({ query }) =>
      Promise.resolve({ status: 200, body: { base62: base16ToBase62(query.base16), base16: query.base16 } }),
  }),
});
