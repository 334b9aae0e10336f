/** GET /v4/base62tobase16 and /v4/base16tobase62 (Butler #2, #3). */
import { Type } from '@sinclair/typebox';
import { base16ToBase62, base62ToBase16 } from '../shared/convert/base62';
import { method, registerEndpoint, reply } from '../shared/http/endpoint';

// Qlik ids are 20-40 digits; the cap keeps BigInt work bounded for hostile input.
const Digits = Type.String({ maxLength: 1000 });
const Converted = Type.Object({ base62: Type.String(), base16: Type.String() });

registerEndpoint('base62tobase16', 'v4/base62tobase16', {
  GET: method({
    id: 'base62tobase16',
    summary: 'Convert a base-62 number to base 16',
    enabledBy: 'base62ToBase16',
    query: Type.Object({ base62: Digits }),
    replies: { 200: reply('The number in both bases', Converted) },
    errors: ['INVALID_DIGITS'],
    handle: ({ query }) => ({
      status: 200,
      body: { base62: query.base62, base16: base62ToBase16(query.base62) },
    }),
  }),
});

registerEndpoint('base16tobase62', 'v4/base16tobase62', {
  GET: method({
    id: 'base16tobase62',
    summary: 'Convert a base-16 number to base 62',
    enabledBy: 'base16ToBase62',
    query: Type.Object({ base16: Digits }),
    replies: { 200: reply('The number in both bases', Converted) },
    errors: ['INVALID_DIGITS'],
    handle: ({ query }) => ({
      status: 200,
      body: { base62: base16ToBase62(query.base16), base16: query.base16 },
    }),
  }),
});
