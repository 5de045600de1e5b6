import {
  DEFAULT_ADMIN_PORT_RANGE,
  DEFAULT_PROXY_PORT_RANGE,
  type Labels,
  NODE_STATUSES,
  type NodeStatus,
  type PortRange,
} from '@envoy-fleet/domain';
import type { NodeEntity } from '@envoy-fleet/db';
import { z } from 'zod';
import type { ListSpec } from '../../http/list-query';
import { labelsSchema, portRangeSchema } from '../../http/request-schemas';

/** A VM as clients write it (POST, PUT, and PATCH after merging). */
export const nodeWriteSchema = z.strictObject({
  hostname: z.string().min(1).max(253),
  addresses: z.array(z.string().min(1)).default([]),
  region: z.string().min(1).nullable().default(null),
  zone: z.string().min(1).nullable().default(null),
  labels: labelsSchema.default({}),
  capacity: z.strictObject({ cpuMillicores: z.number().int().min(0), memoryMib: z.number().int().min(0) }),
  proxyPortRange: portRangeSchema.default(DEFAULT_PROXY_PORT_RANGE),
  adminPortRange: portRangeSchema.default(DEFAULT_ADMIN_PORT_RANGE),
  status: z.enum(NODE_STATUSES).default('unknown'),
});

export type NodeWrite = z.output<typeof nodeWriteSchema>;

export interface NodeView {
  readonly id: string;
  readonly hostname: string;
  readonly addresses: readonly string[];
  readonly region: string | null;
  readonly zone: string | null;
  readonly labels: Labels;
  readonly capacity: { readonly cpuMillicores: number; readonly memoryMib: number };
  readonly proxyPortRange: PortRange;
  readonly adminPortRange: PortRange;
  readonly status: NodeStatus;
  readonly agentVersion: string | null;
  readonly dockerVersion: string | null;
  readonly lastHeartbeatAt: string | null;
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export function nodeView(node: NodeEntity): NodeView {
  return {
    id: node.id,
    hostname: node.hostname,
    addresses: node.addresses,
    region: node.region,
    zone: node.zone,
    labels: node.labels,
    capacity: { cpuMillicores: node.cpuMillicores, memoryMib: node.memoryMib },
    proxyPortRange: { start: node.proxyPortRangeStart, end: node.proxyPortRangeEnd },
    adminPortRange: { start: node.adminPortRangeStart, end: node.adminPortRangeEnd },
    status: node.status,
    agentVersion: node.agentVersion,
    dockerVersion: node.dockerVersion,
    lastHeartbeatAt: node.lastHeartbeatAt?.toISOString() ?? null,
    version: node.version,
    createdAt: node.createdAt.toISOString(),
    updatedAt: node.updatedAt.toISOString(),
  };
}

/** The writable part of a node: what a merge patch applies to. */
export function nodeWriteOf(view: NodeView): NodeWrite {
  const { hostname, addresses, region, zone, labels, capacity, proxyPortRange, adminPortRange, status } =
    view;
  return {
    hostname,
    addresses: [...addresses],
    region,
    zone,
    labels,
    capacity,
    proxyPortRange,
    adminPortRange,
    status,
  };
}

export function nodeColumns(write: NodeWrite): Partial<NodeEntity> {
  return {
    hostname: write.hostname,
    addresses: write.addresses,
    region: write.region,
    zone: write.zone,
    labels: write.labels,
    cpuMillicores: write.capacity.cpuMillicores,
    memoryMib: write.capacity.memoryMib,
    proxyPortRangeStart: write.proxyPortRange.start,
    proxyPortRangeEnd: write.proxyPortRange.end,
    adminPortRangeStart: write.adminPortRange.start,
    adminPortRangeEnd: write.adminPortRange.end,
    status: write.status,
  };
}

export const NODE_LIST: ListSpec = {
  sortable: {
    hostname: { column: 'hostname', kind: 'text' },
    status: { column: 'status', kind: 'text' },
    createdAt: { column: 'created_at', kind: 'timestamp' },
    updatedAt: { column: 'updated_at', kind: 'timestamp' },
  },
  defaultSort: 'hostname',
  filters: { status: 'status', region: 'region', zone: 'zone', hostname: 'hostname' },
  labels: true,
};
