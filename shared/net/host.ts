/** Host names in URLs and messages: IPv6 literals need brackets there, and comparisons need them gone. */

/** `::1` → `[::1]`; names, IPv4 and already bracketed literals are returned as they are. */
export function bracketHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** `[::1]` → `::1` (as `URL.hostname` reports IPv6 literals); anything else is returned as it is. */
export function unbracketHost(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** `host:port` as a URL authority writes it, e.g. `[::1]:8883`. */
export function hostPort(host: string, port: number | string): string {
  return `${bracketHost(host)}:${port}`;
}
