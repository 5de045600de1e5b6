import { DEFAULT_ADMIN_PORT_RANGE, DEFAULT_PROXY_PORT_RANGE, NODE_STATUSES } from '@envoy-fleet/domain';
import type { NodeEntity } from '@envoy-fleet/db';
import { z } from 'zod';
import type { ListSpec } from '../../http/list-query';
import {
  labelsSchema,
  labelsView,
  portRangeSchema,
  portRangeView,
  versionedViewFields,
} from '../../http/request-schemas';

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

export const nodeViewSchema = z.object({
  id: z.uuid(),
  hostname: z.string(),
  addresses: z.array(z.string()),
  region: z.string().nullable(),
  zone: z.string().nullable(),
  labels: labelsView,
  capacity: z.object({ cpuMillicores: z.number().int(), memoryMib: z.number().int() }),
  proxyPortRange: portRangeView,
  adminPortRange: portRangeView,
  status: z.enum(NODE_STATUSES),
  agentVersion: z.string().nullable(),
  dockerVersion: z.string().nullable(),
  lastHeartbeatAt: z.iso.datetime().nullable(),
  ...versionedViewFields,
});
export type NodeView = z.output<typeof nodeViewSchema>;

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
