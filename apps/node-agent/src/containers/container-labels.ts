import { createHash } from 'node:crypto';
import {
  AGENT_LABEL_PREFIX,
  canonicalJson,
  type ProxyContainerSpec,
  proxyContainerSpecSchema,
} from '@envoy-fleet/domain';

/** The labels the agent puts on every container it manages; the spec label lets it rebuild its state. */
export const AGENT_LABELS = {
  managed: `${AGENT_LABEL_PREFIX}managed`,
  nodeId: `${AGENT_LABEL_PREFIX}node-id`,
  proxyId: `${AGENT_LABEL_PREFIX}proxy-id`,
  tenantId: `${AGENT_LABEL_PREFIX}tenant-id`,
  xdsNodeId: `${AGENT_LABEL_PREFIX}xds-node-id`,
  group: `${AGENT_LABEL_PREFIX}group`,
  ordinal: `${AGENT_LABEL_PREFIX}ordinal`,
  /** The whole spec as canonical JSON. */
  spec: `${AGENT_LABEL_PREFIX}spec`,
  /** SHA-256 of the canonical spec: a container whose hash differs from a new spec's is replaced. */
  specHash: `${AGENT_LABEL_PREFIX}spec-hash`,
} as const;

/** Docker label filters (`key=value`) selecting the containers one node's agent manages. */
export function managedByNodeFilter(nodeId: string): string[] {
  return [`${AGENT_LABELS.managed}=true`, `${AGENT_LABELS.nodeId}=${nodeId}`];
}

export function specHash(spec: ProxyContainerSpec): string {
  return createHash('sha256').update(canonicalJson(spec)).digest('hex');
}

/** The spec's own labels plus the agent's. */
export function containerLabels(nodeId: string, spec: ProxyContainerSpec): Record<string, string> {
  return {
    ...spec.labels,
    [AGENT_LABELS.managed]: 'true',
    [AGENT_LABELS.nodeId]: nodeId,
    [AGENT_LABELS.proxyId]: spec.proxyId,
    [AGENT_LABELS.tenantId]: spec.tenantId,
    [AGENT_LABELS.xdsNodeId]: spec.xdsNodeId,
    [AGENT_LABELS.group]: spec.groupName,
    [AGENT_LABELS.ordinal]: String(spec.ordinal),
    [AGENT_LABELS.spec]: canonicalJson(spec),
    [AGENT_LABELS.specHash]: specHash(spec),
  };
}

/** The spec a managed container was created from; null when its labels do not hold a valid one. */
export function specFromLabels(labels: Readonly<Record<string, string>>): ProxyContainerSpec | null {
  const text = labels[AGENT_LABELS.spec];
  if (text === undefined) return null;
  try {
    const parsed = proxyContainerSpecSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
