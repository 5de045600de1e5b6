import { CONFIG_DELIVERY_STATUSES, XDS_RESOURCE_TYPES } from '@envoy-fleet/domain';
import { z } from 'zod';
import type { ListSpec } from '../../http/list-query';

export const CONFIG_DELIVERY_LIST: ListSpec = {
  sortable: {
    sentAt: { column: 'sent_at', kind: 'timestamp' },
    respondedAt: { column: 'responded_at', kind: 'timestamp' },
  },
  defaultSort: '-sentAt',
  filters: { status: 'status', resourceType: 'resource_type', proxyId: 'proxy_id', rolloutId: 'rollout_id' },
  labels: false,
};

export const configDeliveryViewSchema = z.object({
  id: z.uuid(),
  proxyId: z.uuid(),
  nodeId: z.string().describe("the proxy's Envoy node id"),
  resourceType: z.enum(XDS_RESOURCE_TYPES),
  xdsVersion: z.string().describe('the xDS version_info sent'),
  status: z
    .enum(CONFIG_DELIVERY_STATUSES)
    .describe('nacked: a lasting NACK; transient: a NACK an ACK of the same version cleared soon after'),
  errorMessage: z.string().nullable().describe("Envoy's error_detail message, for a NACK"),
  rejectedResources: z
    .array(z.string())
    .describe("the version's resources of this type that Envoy's message names"),
  rolloutId: z.uuid().nullable(),
  sentAt: z.iso.datetime(),
  respondedAt: z.iso.datetime().nullable(),
});
export type ConfigDeliveryView = z.output<typeof configDeliveryViewSchema>;

const countsByStatus = z.record(z.enum(CONFIG_DELIVERY_STATUSES), z.number().int());

export const configDeliverySummaryViewSchema = z.object({
  configId: z.uuid(),
  version: z.number().int(),
  byType: z
    .record(z.enum(XDS_RESOURCE_TYPES), countsByStatus)
    .describe('per xDS resource type, how many deliveries of this version are in each state'),
  rejections: z
    .array(
      z.object({
        resourceType: z.enum(XDS_RESOURCE_TYPES),
        resources: z.array(z.string()).describe("the version's resources Envoy's message names"),
        errorMessage: z.string(),
        proxies: z.number().int().describe('how many proxies NACKed this version with this message'),
        nodeIds: z.array(z.string()).describe('up to 20 of those proxies'),
        lastAt: z.iso.datetime(),
      }),
    )
    .describe('lasting NACKs of this version, one entry per type and message, most proxies first'),
});
export type ConfigDeliverySummaryView = z.output<typeof configDeliverySummaryViewSchema>;
