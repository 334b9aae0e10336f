/**
 * Qlik's REST connector can only send GET and POST, so load scripts send PUT/DELETE as POST with
 * `X-HTTP-Method-Override`. This lives in the function layer (not the host) so that it works the
 * same on the real Functions host.
 */
import { ApiError } from './errors';

export type ApiMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** The verbs every API function is registered for, and the only ones an override may name. */
export const API_METHODS: readonly ApiMethod[] = ['GET', 'POST', 'PUT', 'DELETE'];

/** The method the caller meant: the upper-cased override header on POST, else the request method. */
export function effectiveMethod(method: string, overrideHeader: string | null): string {
  const actual = method.toUpperCase();
  if (actual !== 'POST' || overrideHeader === null || overrideHeader.trim() === '') return actual;
  const wanted = overrideHeader.trim().toUpperCase();
  if (!(API_METHODS as readonly string[]).includes(wanted)) {
    throw new ApiError(
      'BAD_METHOD_OVERRIDE',
      `X-HTTP-Method-Override must be one of ${API_METHODS.join(', ')}; got '${overrideHeader.slice(0, 20)}'`,
    );
  }
  return wanted;
}
