/**
 * undici's WebSocket reports a failed upgrade only as a bare `error` event: the TLS or socket error and the
 * HTTP status are lost. This interceptor sits between the WebSocket and the shared Agent and remembers
 * both, so the Engine client can say *why* the connection failed (wrong CA, refused, HTTP 403, ...).
 */
import type { Dispatcher } from 'undici';

export interface UpgradeObservation {
  error?: Error;
  status?: number;
}

export function observeUpgrade(observation: UpgradeObservation): Dispatcher.DispatcherComposeInterceptor {
  return (dispatch) => (opts, handler) =>
    dispatch(opts, {
      onRequestStart: (controller, context) => handler.onRequestStart?.(controller, context),
      onRequestUpgrade: (controller, statusCode, headers, socket) => {
        observation.status = statusCode;
        handler.onRequestUpgrade?.(controller, statusCode, headers, socket);
      },
      onResponseStart: (controller, statusCode, headers, statusMessage) => {
        observation.status = statusCode;
        handler.onResponseStart?.(controller, statusCode, headers, statusMessage);
      },
      onResponseData: (controller, chunk) => handler.onResponseData?.(controller, chunk),
      onResponseEnd: (controller, trailers) => handler.onResponseEnd?.(controller, trailers),
      onResponseError: (controller, error) => {
        observation.error = error;
        handler.onResponseError?.(controller, error);
      },
    });
}
