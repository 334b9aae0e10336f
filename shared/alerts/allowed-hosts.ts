/**
 * The outbound host allow-list of the webhook channels (SSRF guard). Entries are host names or
 * addresses compared case-insensitively; `*.example.com` matches any subdomain (not the apex).
 */
import { unbracketHost } from '../net/host';

export function hostAllowed(host: string, allowed: readonly string[]): boolean {
  const name = normalise(host);
  return allowed.some((entry) => {
    const pattern = normalise(entry);
    if (pattern.startsWith('*.')) return name.endsWith(pattern.slice(1)) && name.length > pattern.length - 1;
    return name === pattern;
  });
}

/** Lower case, without IPv6 brackets or a trailing dot. */
function normalise(host: string): string {
  return unbracketHost(host.toLowerCase()).replace(/\.$/, '');
}
