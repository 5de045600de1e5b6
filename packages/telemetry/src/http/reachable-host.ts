/** The host a client on this machine uses for a server bound to `host`: a wildcard address means the loopback. */
export function reachableHost(host: string): string {
  return host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
}
