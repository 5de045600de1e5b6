import { XDS_RESOURCE_TYPES, XDS_SYNC_STATUSES, type XdsResourceType } from '@envoy-fleet/domain';
import { z } from 'zod';
import { proxyStatusViewSchema } from './proxy.dto';

const configVersionRef = z
  .object({ id: z.uuid(), configId: z.uuid(), number: z.number().int() })
  .nullable()
  .describe('the config version the xDS version was built from; null when unknown or deleted');

const resourceStatusView = z.object({
  status: z.enum(XDS_SYNC_STATUSES),
  acked: z
    .object({ xdsVersion: z.string(), at: z.iso.datetime(), configVersion: configVersionRef })
    .nullable()
    .describe('the last version the proxy ACKed'),
  nack: z
    .object({
      xdsVersion: z.string(),
      at: z.iso.datetime(),
      message: z.string().describe("Envoy's error_detail message"),
      configVersion: configVersionRef,
    })
    .nullable()
    .describe('the rejection in force: the last NACK, when no ACK came after it (transient NACKs left out)'),
});
export type ResourceStatusView = z.output<typeof resourceStatusView>;

/**
 * `GET /proxies/{node_id}/status`: the container, the xDS connection and, per resource type, the sync
 * status with the last ACKed version, the NACK in force with Envoy's message, and the config versions
 * they came from, as fleet-manager recorded them from xds-server's reports.
 */
export const proxyDeliveryStatusViewSchema = proxyStatusViewSchema.extend({
  connected: z.boolean().describe('an xds-server replica holds a stream of the proxy'),
  xdsReplica: z.string().nullable(),
  connectionChangedAt: z.iso.datetime().nullable(),
  configRejection: z
    .object({
      source: z
        .string()
        .describe('the config version, or the template or inheritance binding, it should run'),
      issues: z.array(z.string()),
      at: z.iso.datetime().describe('when fleet-manager first rejected it'),
    })
    .nullable()
    .describe(
      'why the config its bindings give cannot be served (a template that does not render, parameters against the schema, an inheritance cycle, failed snapshot checks); it keeps its last good snapshot meanwhile',
    ),
  drift: z
    .object({
      since: z.iso.datetime().describe('since when its ACKed versions differ from its current snapshot'),
      at: z.iso.datetime().describe('when the difference outlasted the threshold'),
      resources: z.array(
        z.object({
          resourceType: z.enum(XDS_RESOURCE_TYPES),
          ackedVersion: z.string().describe('the version Envoy last ACKed'),
          expectedVersion: z.string().describe("the version of the proxy's current snapshot"),
        }),
      ),
    })
    .nullable()
    .describe(
      "set while the proxy is drifted: its ACKed versions differ from its current snapshot's for longer than fleet-manager's threshold [NFR-OB-004]",
    ),
  resources: z.object(
    Object.fromEntries(XDS_RESOURCE_TYPES.map((type) => [type, resourceStatusView])) as Record<
      XdsResourceType,
      typeof resourceStatusView
    >,
  ),
});
export type ProxyDeliveryStatusView = z.output<typeof proxyDeliveryStatusViewSchema>;
