/**
 * Body parsing rules (docs/butler-compatibility.md §2.3): an empty body is "no body" whatever the content type;
 * otherwise JSON when the type is absent, application/json or text/plain; anything else is 415.
 */
import type { HttpRequest } from '@azure/functions';
import { ApiError } from './errors';

const JSON_TYPES = new Set(['application/json', 'text/plain']);

export async function readJsonBody(req: HttpRequest): Promise<unknown> {
  const raw = Buffer.from(await req.arrayBuffer());
  if (raw.length === 0) return undefined;
  const contentType = req.headers.get('content-type');
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  if (mediaType && !JSON_TYPES.has(mediaType)) {
    throw new ApiError(
      'UNSUPPORTED_MEDIA_TYPE',
      `Unsupported Content-Type '${mediaType.slice(0, 60)}': send application/json`,
    );
  }
  const text = raw.toString('utf8').replace(/^\uFEFF/, '');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // The parser's message quotes the body; keep it out of the answer (it may hold a secret).
    throw new ApiError('INVALID_JSON', 'Body is not valid JSON');
  }
}
