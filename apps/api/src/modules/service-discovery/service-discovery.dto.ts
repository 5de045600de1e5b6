import { z } from 'zod';
import type { ListSpec } from '../../http/list-query';

/** `{name}` and `{service}` in paths: a cluster name. */
export const clusterNameParam = z.string().min(1).max(255);

const clusterFields = {
  id: z.uuid().describe('the cluster in this config (changes with each version of the config)'),
  name: z.string().describe('the cluster name: the service'),
  configId: z.uuid(),
  configName: z.string(),
  configVersion: z.number().int().describe("the config's newest version, which the cluster is read from"),
};

export const serviceViewSchema = z.object({
  ...clusterFields,
  type: z
    .string()
    .describe('the discovery type: STATIC, STRICT_DNS, LOGICAL_DNS, EDS, ORIGINAL_DST or CUSTOM'),
  lbPolicy: z.string(),
  connectTimeout: z.string().nullable(),
  endpointSource: z.enum(['eds', 'inline', 'none']),
  edsServiceName: z.string().nullable(),
  endpointCount: z
    .number()
    .int()
    .describe('hosts known to the config (EDS or inline); 0 for DNS-only clusters'),
});
export type ServiceView = z.output<typeof serviceViewSchema>;

const upstreamEndpointSchema = z.object({
  address: z.string().describe('host:port, or a pipe path'),
  healthStatus: z.string(),
  weight: z.number().int().nullable(),
  priority: z.number().int(),
  locality: z.object({ region: z.string(), zone: z.string(), subZone: z.string() }).nullable(),
});

export const serviceEndpointsViewSchema = z.object({
  ...clusterFields,
  endpointSource: z.enum(['eds', 'inline', 'none']),
  endpoints: z.array(upstreamEndpointSchema),
});
export type ServiceEndpointsView = z.output<typeof serviceEndpointsViewSchema>;

/** One service across the tenant's configs: every config that defines a cluster of this name. */
export const serviceDetailViewSchema = z.object({ name: z.string(), clusters: z.array(serviceViewSchema) });
export type ServiceDetailView = z.output<typeof serviceDetailViewSchema>;

export const serviceEndpointsDetailViewSchema = z.object({
  service: z.string(),
  clusters: z.array(serviceEndpointsViewSchema),
});
export type ServiceEndpointsDetailView = z.output<typeof serviceEndpointsDetailViewSchema>;

/** Both lists page over the clusters of the tenant's configs (one item per cluster per config). */
export const CLUSTER_LIST: ListSpec = {
  sortable: { name: { column: 'name', kind: 'text' } },
  defaultSort: 'name',
  filters: { name: 'name', configId: 'config_id' },
  labels: false,
};
