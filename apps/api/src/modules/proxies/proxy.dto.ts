import {
  type JsonObject,
  PROXY_DESIRED_STATES,
  PROXY_HEALTHS,
  PROXY_STATUSES,
  XDS_RESOURCE_TYPES,
  XDS_SYNC_STATUSES,
  type XdsResourceType,
  type XdsSyncStatus,
} from '@envoy-fleet/domain';
import type { ProxyEntity } from '@envoy-fleet/db';
import { z } from 'zod';
import type { ListSpec } from '../../http/list-query';
import { labelsSchema, labelsView, versionedViewFields } from '../../http/request-schemas';
import { proxyConfigViewSchema } from '../configs/proxy-config';

/** Envoy node ids appear in URLs: letters, digits and `._:-`. */
export const NODE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,254}$/;

export const nodeIdParam = z
  .string()
  .regex(NODE_ID_PATTERN, 'must be 1-255 letters, digits, ".", "_", ":" or "-"');

const port = z.number().int().min(1).max(65_535);

/** What an operator decides about a proxy; what the node-agent and xds-server observe is read-only. */
export const proxyWriteSchema = z.strictObject({
  groupId: z.uuid(),
  vmId: z.uuid().nullable().default(null),
  containerName: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/, 'must be a Docker container name (at most 128 characters)'),
  proxyPort: port,
  adminPort: port,
  image: z.string().min(1).max(500),
  desiredState: z.enum(PROXY_DESIRED_STATES).default('running'),
  labels: labelsSchema.default({}),
  metadata: z
    .record(z.string(), z.json())
    .transform((metadata): JsonObject => metadata)
    .default({}),
  resourceLimits: z
    .strictObject({
      cpuMillicores: z.number().int().min(1).nullable().default(null),
      memoryMib: z.number().int().min(1).nullable().default(null),
    })
    .default({ cpuMillicores: null, memoryMib: null }),
});
export type ProxyWrite = z.output<typeof proxyWriteSchema>;

export const proxyCreateSchema = proxyWriteSchema.extend({ nodeId: nodeIdParam });
export type ProxyCreate = z.output<typeof proxyCreateSchema>;

const xdsStatusView = z.object(
  Object.fromEntries(XDS_RESOURCE_TYPES.map((type) => [type, z.enum(XDS_SYNC_STATUSES)])) as Record<
    XdsResourceType,
    z.ZodEnum<{ [S in XdsSyncStatus]: S }>
  >,
);

export const proxyViewSchema = z.object({
  id: z.uuid(),
  nodeId: z.string(),
  groupId: z.uuid(),
  vmId: z.uuid().nullable(),
  containerId: z.string().nullable(),
  containerName: z.string(),
  proxyPort: z.number().int(),
  adminPort: z.number().int(),
  image: z.string(),
  desiredState: z.enum(PROXY_DESIRED_STATES),
  status: z.enum(PROXY_STATUSES),
  health: z
    .enum(PROXY_HEALTHS)
    .describe(
      "combined by fleet-manager from the container's state, /ready, the xDS stream and the VM's heartbeats",
    ),
  healthReasons: z.array(z.string()).describe('why the proxy is not healthy; empty when it is'),
  ready: z
    .boolean()
    .nullable()
    .describe("Envoy's admin /ready as the node agent last probed it; null until probed"),
  xdsStatus: xdsStatusView,
  labels: labelsView,
  metadata: z.record(z.string(), z.unknown()),
  resourceLimits: z.object({
    cpuMillicores: z.number().int().nullable(),
    memoryMib: z.number().int().nullable(),
  }),
  lastSeenAt: z.iso.datetime().nullable(),
  ...versionedViewFields,
});
export type ProxyView = z.output<typeof proxyViewSchema>;

/** `GET /proxies/{node_id}/status`: what is known of the proxy's container and of its xDS streams. */
export const proxyStatusViewSchema = proxyViewSchema.pick({
  nodeId: true,
  desiredState: true,
  status: true,
  health: true,
  healthReasons: true,
  ready: true,
  xdsStatus: true,
  lastSeenAt: true,
});
export type ProxyStatusView = z.output<typeof proxyStatusViewSchema>;

export function proxyView(proxy: ProxyEntity): ProxyView {
  return {
    id: proxy.id,
    nodeId: proxy.nodeId,
    groupId: proxy.groupId,
    vmId: proxy.vmId,
    containerId: proxy.containerId,
    containerName: proxy.containerName,
    proxyPort: proxy.proxyPort,
    adminPort: proxy.adminPort,
    image: proxy.image,
    desiredState: proxy.desiredState,
    status: proxy.status,
    health: proxy.health,
    healthReasons: proxy.healthReasons,
    ready: proxy.ready,
    xdsStatus: {
      listener: proxy.listenerSyncStatus,
      route_config: proxy.routeConfigSyncStatus,
      cluster: proxy.clusterSyncStatus,
      endpoint: proxy.endpointSyncStatus,
      secret: proxy.secretSyncStatus,
    },
    labels: proxy.labels,
    metadata: proxy.metadata as JsonObject,
    resourceLimits: { cpuMillicores: proxy.cpuMillicores, memoryMib: proxy.memoryMib },
    lastSeenAt: proxy.lastSeenAt?.toISOString() ?? null,
    version: proxy.version,
    createdAt: proxy.createdAt.toISOString(),
    updatedAt: proxy.updatedAt.toISOString(),
  };
}

export function proxyStatusView(view: ProxyView): ProxyStatusView {
  const { nodeId, desiredState, status, health, healthReasons, ready, xdsStatus, lastSeenAt } = view;
  return { nodeId, desiredState, status, health, healthReasons, ready, xdsStatus, lastSeenAt };
}

export function proxyWriteOf(view: ProxyView): ProxyWrite {
  const {
    groupId,
    vmId,
    containerName,
    proxyPort,
    adminPort,
    image,
    desiredState,
    labels,
    metadata,
    resourceLimits,
  } = view;
  return {
    groupId,
    vmId,
    containerName,
    proxyPort,
    adminPort,
    image,
    desiredState,
    labels,
    // The stored JSON object, typed loosely in the view for its OpenAPI schema.
    metadata: metadata as JsonObject,
    resourceLimits,
  };
}

export function proxyColumns(write: ProxyWrite): Partial<ProxyEntity> {
  return {
    groupId: write.groupId,
    vmId: write.vmId,
    containerName: write.containerName,
    proxyPort: write.proxyPort,
    adminPort: write.adminPort,
    image: write.image,
    desiredState: write.desiredState,
    labels: write.labels,
    metadata: write.metadata,
    cpuMillicores: write.resourceLimits.cpuMillicores,
    memoryMib: write.resourceLimits.memoryMib,
  };
}

export const PROXY_LIST: ListSpec = {
  sortable: {
    nodeId: { column: 'node_id', kind: 'text' },
    status: { column: 'status', kind: 'text' },
    proxyPort: { column: 'proxy_port', kind: 'integer' },
    createdAt: { column: 'created_at', kind: 'timestamp' },
    updatedAt: { column: 'updated_at', kind: 'timestamp' },
  },
  defaultSort: 'nodeId',
  filters: {
    groupId: 'group_id',
    vmId: 'vm_id',
    status: 'status',
    health: 'health',
    desiredState: 'desired_state',
  },
  labels: true,
};

/** `GET /proxies/{node_id}/config`: the config version the proxy's bindings select, as stored (secrets masked). */
export const servedConfigViewSchema = z.object({
  nodeId: z.string(),
  binding: z.object({ id: z.uuid(), mode: z.enum(['instance', 'group', 'label_selector']) }),
  config: z.object({ id: z.uuid(), name: z.string() }),
  version: z.object({ number: z.number().int(), contentHash: z.string() }),
  document: proxyConfigViewSchema,
});
export type ServedConfigView = z.output<typeof servedConfigViewSchema>;
