import { type JsonObject } from '../values/json.value';
import { type Labels } from '../values/labels.value';
import { type XdsResourceType, type XdsSyncStatus } from './xds-resource.entity';

/** What the operator wants the container to be. */
export const PROXY_DESIRED_STATES = ['running', 'stopped', 'removed'] as const;
export type ProxyDesiredState = (typeof PROXY_DESIRED_STATES)[number];

/** What the node-agent last reported about the container. */
export const PROXY_STATUSES = ['created', 'starting', 'running', 'stopped', 'failed', 'unknown'] as const;
export type ProxyStatus = (typeof PROXY_STATUSES)[number];

/** Envoy's admin `/ready` as probed by the node-agent. */
export const PROXY_HEALTHS = ['healthy', 'unhealthy', 'unknown'] as const;
export type ProxyHealth = (typeof PROXY_HEALTHS)[number];

export interface ProxyResourceLimits {
  readonly cpuMillicores: number | null;
  readonly memoryMib: number | null;
}

/** One Envoy instance in a Docker container on a VM [seed 000 4.1.1]. */
export interface Proxy {
  readonly id: string;
  readonly tenantId: string;
  /** Envoy's `node.id`, unique across the installation: the xds-server identifies streams by it. */
  readonly nodeId: string;
  readonly groupId: string;
  /** The VM the proxy is placed on; null until fleet-manager schedules it. */
  readonly vmId: string | null;
  readonly containerId: string | null;
  /** Seed 000 3.2.1: `envoy-proxy-<group>-<instance>`, unique per VM. */
  readonly containerName: string;
  /** Unique per VM, like `adminPort`. */
  readonly proxyPort: number;
  readonly adminPort: number;
  readonly image: string;
  readonly desiredState: ProxyDesiredState;
  readonly status: ProxyStatus;
  readonly health: ProxyHealth;
  readonly xdsStatus: { readonly [T in XdsResourceType]: XdsSyncStatus };
  readonly labels: Labels;
  readonly metadata: JsonObject;
  readonly resourceLimits: ProxyResourceLimits;
  readonly lastSeenAt: Date | null;
  readonly version: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export const INITIAL_XDS_STATUS: Proxy['xdsStatus'] = {
  listener: 'NOT_SENT',
  route_config: 'NOT_SENT',
  cluster: 'NOT_SENT',
  endpoint: 'NOT_SENT',
  secret: 'NOT_SENT',
};

/** Seed 000 3.2.1 naming convention. */
export function proxyContainerName(groupName: string, instance: number): string {
  return `envoy-proxy-${groupName}-${String(instance).padStart(3, '0')}`;
}

/** True when the node-agent still has work to do to reach the desired state. */
export function proxyNeedsReconcile(proxy: Pick<Proxy, 'desiredState' | 'status'>): boolean {
  switch (proxy.desiredState) {
    case 'running':
      return proxy.status !== 'running' && proxy.status !== 'starting';
    case 'stopped':
      return proxy.status !== 'stopped' && proxy.status !== 'created';
    case 'removed':
      return true;
  }
}
