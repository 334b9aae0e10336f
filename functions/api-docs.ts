/**
 * The API's own documentation: GET /v4/openapi.json (the shipped openapi.yaml as JSON) and GET /v4/docs
 * (Swagger UI, every file served from here). Same key rule as every API route; GET only (a browser never
 * needs the method override).
 */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { apiAuthLevel } from '../shared/bootstrap';
import { docsAsset } from '../shared/docs/assets';
import { openApiJson } from '../shared/docs/openapi-document';
import { PAGE_HEADERS, renderPage } from '../shared/docs/page';
import { ApiError } from '../shared/http/errors';
import { documentRoute } from '../shared/http/registry';
import { errorMessage } from '../shared/log';

type Handler = (req: HttpRequest) => HttpResponseInit;

function register(name: string, route: string, handle: Handler): void {
  app.http(name, {
    route,
    methods: ['GET'],
    authLevel: apiAuthLevel,
    handler: (req: HttpRequest, ctx: InvocationContext) => {
      let response: HttpResponseInit;
      try {
        response = handle(req);
      } catch (err) {
        const apiError =
          err instanceof ApiError ? err : new ApiError('INTERNAL', 'Internal error; see the host log');
        if (!(err instanceof ApiError)) ctx.error(`${name} failed: ${errorMessage(err)}`);
        response = {
          status: apiError.statusCode,
          headers: { 'content-type': 'application/json; charset=utf-8' },
          body: JSON.stringify(apiError.toBody()),
        };
      }
      ctx.info(`${name} GET -> ${response.status ?? 200}`);
      return Promise.resolve(response);
    },
  });
}

register('apidocs-openapi', 'v4/openapi.json', () => ({
  status: 200,
  headers: { 'content-type': 'application/json; charset=utf-8' },
  body: openApiJson(),
}));

register('apidocs-page', 'v4/docs', (req) => {
  const url = new URL(req.url);
  return {
    status: 200,
    headers: { ...PAGE_HEADERS, 'content-type': 'text/html; charset=utf-8' },
    body: renderPage(url.pathname.endsWith('/') ? '' : 'docs/', url.searchParams.get('code')),
  };
});

register('apidocs-asset', 'v4/docs/{asset}', (req) => {
  const name = req.params.asset ?? '';
  const asset = docsAsset(name);
  if (!asset)
    throw new ApiError(
      'ROUTE_NOT_FOUND',
      `No documentation asset named ${JSON.stringify(name.slice(0, 100))}`,
    );
  return { status: 200, headers: { ...PAGE_HEADERS, 'content-type': asset.contentType }, body: asset.body };
});

const NO_KEY = { description: 'No valid function key (unless api.auth is anonymous)' };

// GET-only pages outside the spec mechanism: registered for GET alone; `x-method-override: false` says so.
documentRoute('v4/openapi.json', {
  'x-method-override': false,
  get: {
    operationId: 'apidocs-openapi',
    summary: 'This document, as JSON',
    responses: { '200': { description: 'The OpenAPI document' }, '401': NO_KEY },
  },
});
documentRoute('v4/docs', {
  'x-method-override': false,
  get: {
    operationId: 'apidocs-page',
    summary: 'This document rendered as an HTML page (Swagger UI, every file served by this host)',
    description:
      'A browser cannot send the x-functions-key header: open the page with ?code=<key> and the page passes the key on to its files and to /v4/openapi.json.',
    responses: {
      '200': { description: 'HTML page, with a Content-Security-Policy that allows this host only' },
      '401': NO_KEY,
    },
  },
});
documentRoute('v4/docs/{asset}', {
  'x-method-override': false,
  get: {
    operationId: 'apidocs-asset',
    summary: 'A file of the documentation page (fixed list of names)',
    parameters: [{ name: 'asset', in: 'path', required: true, schema: { type: 'string' } }],
    responses: {
      '200': { description: 'The file, with its content type' },
      '404': { description: 'ROUTE_NOT_FOUND (not a page file)' },
    },
  },
});
