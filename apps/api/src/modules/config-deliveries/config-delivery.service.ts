import { Injectable } from '@nestjs/common';
import {
  CONFIG_DELIVERY_STATUSES,
  type ConfigDocument,
  XDS_RESOURCE_TYPES,
  type XdsResourceType,
} from '@envoy-fleet/domain';
import { ConfigHistoryEntity } from '@envoy-fleet/db';
import type { Principal } from '../../auth/principal';
import { listPage } from '../../database/list-page';
import { findConfig, findConfigVersion } from '../../database/lookups';
import { UnitOfWork } from '../../database/unit-of-work.service';
import type { ListQuery, Page } from '../../http/list-query';
import {
  CONFIG_DELIVERY_LIST,
  type ConfigDeliverySummaryView,
  type ConfigDeliveryView,
} from './config-delivery.dto';
import { rejectedResources } from './rejected-resources';

/** How many node ids a rejection lists; its `proxies` count says how many there are in all. */
const NODE_ID_SAMPLE = 20;

interface CountRow {
  resource_type: XdsResourceType;
  status: (typeof CONFIG_DELIVERY_STATUSES)[number];
  count: number;
}

interface RejectionRow {
  resource_type: XdsResourceType;
  message: string;
  proxies: number;
  node_ids: string[];
  last_at: Date;
}

/**
 * What became of a config version on the proxies it was served to, from `config_history`: every
 * delivery (sent, ACKed, NACKed) and, for each NACK, the resources of the version that Envoy's message
 * names, so a rejection is readable from the version and its resources as well as from the proxy.
 */
@Injectable()
export class ConfigDeliveryService {
  constructor(private readonly unitOfWork: UnitOfWork) {}

  list(
    principal: Principal,
    configId: string,
    number: number,
    query: ListQuery,
  ): Promise<Page<ConfigDeliveryView>> {
    return this.unitOfWork.forTenant(principal, async (manager) => {
      const version = await findConfigVersion(manager, await findConfig(manager, configId), number);
      const document = version.document as ConfigDocument;
      const page = await listPage(
        manager
          .getRepository(ConfigHistoryEntity)
          .createQueryBuilder('delivery')
          .innerJoinAndSelect('delivery.proxy', 'proxy')
          .where('delivery.config_version_id = :versionId', { versionId: version.id }),
        CONFIG_DELIVERY_LIST,
        query,
      );
      return {
        items: page.items.map((delivery) => deliveryView(delivery, document)),
        nextCursor: page.nextCursor,
      };
    });
  }

  summary(principal: Principal, configId: string, number: number): Promise<ConfigDeliverySummaryView> {
    return this.unitOfWork.forTenant(principal, async (manager) => {
      const version = await findConfigVersion(manager, await findConfig(manager, configId), number);
      const document = version.document as ConfigDocument;
      const counts: CountRow[] = await manager.query(
        `SELECT resource_type, status, count(*)::int AS count FROM config_history
          WHERE config_version_id = $1 GROUP BY 1, 2`,
        [version.id],
      );
      const rejections: RejectionRow[] = await manager.query(
        `SELECT history.resource_type, history.error_detail->>'message' AS message,
                count(DISTINCT history.proxy_id)::int AS proxies,
                (array_agg(DISTINCT proxy.node_id))[1:${NODE_ID_SAMPLE}] AS node_ids,
                max(history.responded_at) AS last_at
           FROM config_history history JOIN proxies proxy ON proxy.id = history.proxy_id
          WHERE history.config_version_id = $1 AND history.status = 'nacked'
          GROUP BY 1, 2 ORDER BY 3 DESC, 2`,
        [version.id],
      );
      return {
        configId,
        version: number,
        byType: Object.fromEntries(
          XDS_RESOURCE_TYPES.map((type) => [
            type,
            Object.fromEntries(
              CONFIG_DELIVERY_STATUSES.map((status) => [
                status,
                counts.find((row) => row.resource_type === type && row.status === status)?.count ?? 0,
              ]),
            ),
          ]),
        ) as ConfigDeliverySummaryView['byType'],
        rejections: rejections.map((row) => ({
          resourceType: row.resource_type,
          resources: rejectedResources(document, row.resource_type, row.message),
          errorMessage: row.message,
          proxies: row.proxies,
          nodeIds: row.node_ids,
          lastAt: row.last_at.toISOString(),
        })),
      };
    });
  }
}

function deliveryView(delivery: ConfigHistoryEntity, document: ConfigDocument): ConfigDeliveryView {
  const message = delivery.errorDetail?.message ?? null;
  return {
    id: delivery.id,
    proxyId: delivery.proxyId,
    nodeId: delivery.proxy?.nodeId ?? '',
    resourceType: delivery.resourceType,
    xdsVersion: delivery.xdsVersion,
    status: delivery.status,
    errorMessage: message,
    rejectedResources: message === null ? [] : rejectedResources(document, delivery.resourceType, message),
    rolloutId: delivery.rolloutId,
    sentAt: delivery.sentAt.toISOString(),
    respondedAt: delivery.respondedAt?.toISOString() ?? null,
  };
}
