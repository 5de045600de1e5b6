import { Injectable } from '@nestjs/common';
import { XDS_RESOURCE_TYPES, type XdsResourceType } from '@envoy-fleet/domain';
import type { Principal } from '../../auth/principal';
import type { ProxyEntity } from '@envoy-fleet/db';
import type { EntityManager } from 'typeorm';
import { findProxy, findProxyByIdOrNodeId } from '../../database/lookups';
import { UnitOfWork } from '../../database/unit-of-work.service';
import { proxyStatusView, type ProxyView, proxyView, type ServedConfigView } from './proxy.dto';
import { servedConfigOf } from './proxy.service';
import type { ProxyDeliveryStatusView, ResourceStatusView } from './proxy-status.dto';

type ConfigVersionRef = { id: string; configId: string; number: number } | null;

interface DeliveryRow {
  resource_type: XdsResourceType;
  xds_version: string;
  responded_at: Date;
  config_version_id: string | null;
  config_id: string | null;
  number: number | null;
  message: string | null;
}

/** The last response of each type with a given status, and the config version it was tied to. */
const LAST_RESPONSES = `
  SELECT DISTINCT ON (h.resource_type) h.resource_type, h.xds_version, h.responded_at,
    h.config_version_id, v.config_id, v.number, h.error_detail ->> 'message' AS message
  FROM config_history h LEFT JOIN config_versions v ON v.id = h.config_version_id
  WHERE h.proxy_id = $1 AND h.status = $2 AND h.responded_at IS NOT NULL
  ORDER BY h.resource_type, h.responded_at DESC`;

export interface ProxyOverview {
  readonly proxy: ProxyView;
  readonly delivery: ProxyDeliveryStatusView;
  /** Undefined when no config is bound to the proxy. */
  readonly served: ServedConfigView | undefined;
}

/** What fleet-manager recorded of a proxy's xDS streams (issue 6), read in the caller's tenant. */
@Injectable()
export class ProxyStatusService {
  constructor(private readonly unitOfWork: UnitOfWork) {}

  status(principal: Principal, nodeId: string): Promise<ProxyDeliveryStatusView> {
    return this.unitOfWork.forTenant(principal, async (manager) =>
      deliveryStatusOf(manager, await findProxy(manager, nodeId)),
    );
  }

  /**
   * A proxy named by its id or node id, with its delivery status and the config it is served, from one
   * read of the proxy (gRPC GetProxyStatus).
   */
  overview(principal: Principal, idOrNodeId: string): Promise<ProxyOverview> {
    return this.unitOfWork.forTenant(principal, async (manager) => {
      const proxy = await findProxyByIdOrNodeId(manager, idOrNodeId);
      return {
        proxy: proxyView(proxy),
        delivery: await deliveryStatusOf(manager, proxy),
        served: await servedConfigOf(manager, proxy),
      };
    });
  }
}

async function deliveryStatusOf(
  manager: EntityManager,
  proxy: ProxyEntity,
): Promise<ProxyDeliveryStatusView> {
  const lastOf = async (status: 'acked' | 'nacked') => {
    const rows = await manager.query<DeliveryRow[]>(LAST_RESPONSES, [proxy.id, status]);
    return new Map(rows.map((row) => [row.resource_type, row]));
  };
  const acks = await lastOf('acked');
  const nacks = await lastOf('nacked');
  const base = proxyStatusView(proxyView(proxy));
  const resources = Object.fromEntries(
    XDS_RESOURCE_TYPES.map((type): [XdsResourceType, ResourceStatusView] => {
      const acked = acks.get(type);
      const nacked = nacks.get(type);
      const inForce =
        nacked !== undefined && (acked === undefined || nacked.responded_at > acked.responded_at);
      return [
        type,
        {
          status: base.xdsStatus[type],
          acked:
            acked === undefined
              ? null
              : {
                  xdsVersion: acked.xds_version,
                  at: acked.responded_at.toISOString(),
                  configVersion: versionOf(acked),
                },
          nack: inForce
            ? {
                xdsVersion: nacked.xds_version,
                at: nacked.responded_at.toISOString(),
                message: nacked.message ?? '',
                configVersion: versionOf(nacked),
              }
            : null,
        },
      ];
    }),
  ) as Record<XdsResourceType, ResourceStatusView>;
  return {
    ...base,
    connected: proxy.xdsConnected,
    xdsReplica: proxy.xdsReplica,
    connectionChangedAt: proxy.xdsConnectionChangedAt?.toISOString() ?? null,
    configRejection:
      proxy.configRejection === null || proxy.configRejectedAt === null
        ? null
        : {
            source: proxy.configRejection.source,
            issues: [...proxy.configRejection.issues],
            at: proxy.configRejectedAt.toISOString(),
          },
    drift:
      proxy.drift === null || proxy.driftObservedAt === null || proxy.driftedAt === null
        ? null
        : {
            since: proxy.driftObservedAt.toISOString(),
            at: proxy.driftedAt.toISOString(),
            resources: proxy.drift.map((type) => ({ ...type })),
          },
    resources,
  };
}

function versionOf(row: DeliveryRow): ConfigVersionRef {
  return row.config_version_id === null || row.config_id === null || row.number === null
    ? null
    : { id: row.config_version_id, configId: row.config_id, number: row.number };
}
