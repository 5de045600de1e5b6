import { type Labels } from '../values/labels.value';
import { type PortRange } from '../values/port-range.value';

/** A VM that runs a node-agent and Envoy containers [FR-VM-*]. */
export const NODE_STATUSES = ['ready', 'not_ready', 'draining', 'unknown'] as const;
export type NodeStatus = (typeof NODE_STATUSES)[number];

export interface NodeCapacity {
  readonly cpuMillicores: number;
  readonly memoryMib: number;
}

export interface Node {
  readonly id: string;
  readonly tenantId: string;
  /** Unique within the tenant. */
  readonly hostname: string;
  readonly addresses: readonly string[];
  readonly region: string | null;
  readonly zone: string | null;
  readonly labels: Labels;
  readonly capacity: NodeCapacity;
  /** Where proxy listener ports and admin ports are allocated on this VM. */
  readonly proxyPortRange: PortRange;
  readonly adminPortRange: PortRange;
  readonly agentVersion: string | null;
  readonly dockerVersion: string | null;
  readonly status: NodeStatus;
  readonly lastHeartbeatAt: Date | null;
  readonly version: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** Only ready nodes receive new proxies; draining ones keep theirs until moved. */
export function isSchedulable(node: Pick<Node, 'status'>): boolean {
  return node.status === 'ready';
}
