/**
 * The API page: Swagger UI from the `swagger-ui-dist` package, served by this host with its own
 * initializer. The function key may arrive as `?code=`; the page then hands it to every asset and to
 * the document request, since a browser cannot add the `x-functions-key` header by itself.
 */

/** Nothing but this host: scripts and styles are files served here, requests go back to this origin. */
export const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  // Swagger UI sets style attributes while rendering; styles cannot fetch anything img-src forbids.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers for every response of the page and its assets: the key may be in the URL, so no caching or referrer. */
export const PAGE_HEADERS: Record<string, string> = {
  'content-security-policy': PAGE_CSP,
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * The HTML page. `base` is how the page's own URL reaches the asset folder (`docs/` from `/v4/docs`,
 * empty from `/v4/docs/`), so the page works under any path prefix a proxy adds.
 */
export function renderPage(base: string, code: string | null): string {
  const query = code ? `?code=${encodeURIComponent(code)}` : '';
  const asset = (name: string) => escapeHtml(`${base}${name}${query}`);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Butler Functions API</title>
<link rel="stylesheet" href="${asset('swagger-ui.css')}">
<link rel="icon" type="image/png" href="${asset('favicon-32x32.png')}">
</head>
<body>
<div id="swagger-ui"></div>
<script src="${asset('swagger-ui-bundle.js')}"></script>
<script src="${asset('init.js')}"></script>
</body>
</html>
`;
}

/**
 * Runs in the browser after the bundle. It finds the key and the document next to its own URL
 * (`<docs folder>/init.js?code=…` → `<docs folder>/../openapi.json?code=…`) and adds the key to
 * "Try it out" requests that carry none.
 */
export const INIT_SCRIPT = `(function () {
  'use strict';
  var self = new URL(document.currentScript.src);
  var code = self.searchParams.get('code');
  var spec = new URL('../openapi.json', self);
  if (code) spec.searchParams.set('code', code);
  window.ui = SwaggerUIBundle({
    url: spec.toString(),
    dom_id: '#swagger-ui',
    deepLinking: false,
    validatorUrl: null,
    docExpansion: 'list',
    requestInterceptor: function (req) {
      if (code) {
        var target = new URL(req.url, location.href);
        if (target.origin === location.origin && !target.searchParams.has('code')) {
          target.searchParams.set('code', code);
          req.url = target.toString();
        }
      }
      return req;
    }
  });
})();
`;
