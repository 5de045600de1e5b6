import {
  NODE_STATUSES,
  PROXY_DESIRED_STATES,
  PROXY_HEALTHS,
  PROXY_STATUSES,
  XDS_RESOURCE_TYPES,
  XDS_SYNC_STATUSES,
} from '@envoy-fleet/domain';
import { z } from 'zod';

/** A count for every value of an enum, zeros included, so dashboards need no defaults. */
function countsOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.record(z.enum(values), z.number().int());
}

export const fleetStatsViewSchema = z.object({
  proxies: z.object({
    total: z.number().int(),
    byStatus: countsOf(PROXY_STATUSES),
    byHealth: countsOf(PROXY_HEALTHS),
    byDesiredState: countsOf(PROXY_DESIRED_STATES),
    xdsSync: z
      .record(z.enum(XDS_RESOURCE_TYPES), countsOf(XDS_SYNC_STATUSES))
      .describe('per xDS resource type, how many proxies are in each sync state'),
  }),
  nodes: z.object({ total: z.number().int(), byStatus: countsOf(NODE_STATUSES) }),
  proxyGroups: z.object({ total: z.number().int() }),
  configs: z.object({ total: z.number().int(), versions: z.number().int() }),
});
export type FleetStatsView = z.output<typeof fleetStatsViewSchema>;
