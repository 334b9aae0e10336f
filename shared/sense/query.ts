/**
 * Query strings for QRS. Every key and value goes through `encodeURIComponent`, so a space is `%20` (never
 * `+`) and `&`, `#`, `'`, `%`, `?` and non-ASCII cannot cut or corrupt the query (docs/sense-facts.md §3.4).
 */
export function encodeQuery(params: Record<string, string>): string {
  return Object.entries(params)
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`)
    .join('&');
}
