import { proxyContainerName } from '@envoy-fleet/domain';

/**
 * Envoy node ids must be unique across the installation, group names only within a tenant: a scheduled
 * proxy is `<tenant name>.<group name>-<instance, 3 digits>`. Tenant names hold no dot, so the first dot
 * separates the two. Its container is `envoy-proxy-<group name>-<instance>` (seed 000 3.2.1).
 */
export function scheduledProxyNames(
  tenantName: string,
  groupName: string,
  ordinal: number,
): { readonly nodeId: string; readonly containerName: string } {
  return {
    nodeId: `${nodeIdPrefix(tenantName, groupName)}${String(ordinal).padStart(3, '0')}`,
    containerName: proxyContainerName(groupName, ordinal),
  };
}

export function nodeIdPrefix(tenantName: string, groupName: string): string {
  return `${tenantName}.${groupName}-`;
}

/** The instance number at the end of a node id or container name; 0 when it has none. */
export function ordinalOf(name: string): number {
  const match = /-(\d{1,6})$/.exec(name);
  return match === null ? 0 : Number(match[1]);
}
