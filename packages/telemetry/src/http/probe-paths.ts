/** The paths of the health and metrics endpoints: polled constantly, so neither traced nor logged at info. */
export const PROBE_PATHS: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/metrics']);

export function isProbePath(url: string | undefined): boolean {
  return url !== undefined && PROBE_PATHS.has(url.split('?', 1)[0] ?? url);
}
