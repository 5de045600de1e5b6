import { type Labels } from '../values/labels.value';

/** Envoy's `node.cluster`: a DNS-label-like name, unique within the tenant. */
export const PROXY_GROUP_NAME_PATTERN = /^[a-z0-9]([a-z0-9._-]{0,61}[a-z0-9])?$/;

/** A logical cluster of proxies [FR-CL-*]; groups nest through `parentId`. */
export interface ProxyGroup {
  readonly id: string;
  readonly tenantId: string;
  readonly parentId: string | null;
  readonly name: string;
  readonly description: string;
  readonly labels: Labels;
  /** How many proxies fleet-manager keeps running for the group; null when proxies are placed by hand. */
  readonly desiredReplicas: number | null;
  /** Whether fleet-manager recreates the group's proxies on other VMs when their VM is lost. */
  readonly rescheduleOnNodeLoss: boolean;
  /** The image the group's proxies should run (null: each keeps its own); a change rolls them over. */
  readonly image: string | null;
  /** How many proxies a rolling image update replaces at once. */
  readonly maxSurge: number;
  readonly version: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/**
 * True when making `newParentId` the parent of `groupId` would close a loop. `parentOf` gives each
 * known group's current parent.
 */
export function wouldCreateGroupCycle(
  groupId: string,
  newParentId: string | null,
  parentOf: ReadonlyMap<string, string | null>,
): boolean {
  const visited = new Set<string>();
  for (let current = newParentId; current !== null; current = parentOf.get(current) ?? null) {
    if (current === groupId || visited.has(current)) return true;
    visited.add(current);
  }
  return false;
}

/** The group's ancestors, nearest first, ending at the root. */
export function groupAncestors(groupId: string, parentOf: ReadonlyMap<string, string | null>): string[] {
  const ancestors: string[] = [];
  for (
    let current = parentOf.get(groupId) ?? null;
    current !== null;
    current = parentOf.get(current) ?? null
  ) {
    if (current === groupId || ancestors.includes(current)) break;
    ancestors.push(current);
  }
  return ancestors;
}
