import { Injectable } from '@nestjs/common';
import { DomainError, type JsonObject } from '@envoy-fleet/domain';
import { ClusterEntity, ConfigEntity, EndpointEntity } from '@envoy-fleet/db';
import { type EntityManager, In } from 'typeorm';
import type { Principal } from '../../auth/principal';
import { listPage } from '../../database/list-page';
import { UnitOfWork } from '../../database/unit-of-work.service';
import type { ListQuery, Page } from '../../http/list-query';
import { endpointsOf, summarizeCluster, type UpstreamEndpoint } from './cluster-endpoints';
import {
  CLUSTER_LIST,
  type ServiceDetailView,
  type ServiceEndpointsDetailView,
  type ServiceEndpointsView,
  type ServiceView,
} from './service-discovery.dto';

interface ResolvedCluster {
  readonly service: ServiceView;
  readonly endpoints: readonly UpstreamEndpoint[];
}

/**
 * Service discovery as the stored configs describe it [seed 001 6.1.3]: a service is a cluster name,
 * and its endpoints are the hosts of the cluster's ClusterLoadAssignment (EDS, from the same config)
 * or of its inline load assignment. Read from each config's working set, which is its newest version.
 */
@Injectable()
export class ServiceDiscoveryService {
  constructor(private readonly unitOfWork: UnitOfWork) {}

  listServices(principal: Principal, query: ListQuery): Promise<Page<ServiceView>> {
    return this.unitOfWork.forTenant(principal, async (manager) => {
      const page = await this.page(manager, query);
      return { items: page.items.map((cluster) => cluster.service), nextCursor: page.nextCursor };
    });
  }

  getService(principal: Principal, name: string): Promise<ServiceDetailView> {
    return this.unitOfWork.forTenant(principal, async (manager) => ({
      name,
      clusters: (await this.named(manager, name)).map((cluster) => cluster.service),
    }));
  }

  listEndpoints(principal: Principal, query: ListQuery): Promise<Page<ServiceEndpointsView>> {
    return this.unitOfWork.forTenant(principal, async (manager) => {
      const page = await this.page(manager, query);
      return { items: page.items.map(endpointsView), nextCursor: page.nextCursor };
    });
  }

  getEndpoints(principal: Principal, service: string): Promise<ServiceEndpointsDetailView> {
    return this.unitOfWork.forTenant(principal, async (manager) => ({
      service,
      clusters: (await this.named(manager, service)).map(endpointsView),
    }));
  }

  private async page(manager: EntityManager, query: ListQuery): Promise<Page<ResolvedCluster>> {
    const page = await listPage(
      manager.getRepository(ClusterEntity).createQueryBuilder('cluster'),
      CLUSTER_LIST,
      query,
    );
    return { items: await resolve(manager, page.items), nextCursor: page.nextCursor };
  }

  private async named(manager: EntityManager, name: string): Promise<ResolvedCluster[]> {
    const clusters = await manager.find(ClusterEntity, { where: { name }, order: { configId: 'ASC' } });
    if (clusters.length === 0) throw DomainError.notFound('service', name);
    return resolve(manager, clusters);
  }
}

/** Each cluster with its config and its hosts; two queries for the whole page. */
async function resolve(
  manager: EntityManager,
  clusters: readonly ClusterEntity[],
): Promise<ResolvedCluster[]> {
  const configIds = [...new Set(clusters.map((cluster) => cluster.configId))];
  if (configIds.length === 0) return [];
  const summarized = clusters.map((cluster) => ({
    cluster,
    summary: summarizeCluster(cluster.name, cluster.body as JsonObject),
  }));
  const edsNames = summarized.flatMap(({ summary }) =>
    summary.edsServiceName === null ? [] : [summary.edsServiceName],
  );
  const [configs, assignments] = await Promise.all([
    manager.findBy(ConfigEntity, { id: In(configIds) }),
    edsNames.length === 0
      ? Promise.resolve([])
      : manager.findBy(EndpointEntity, { configId: In(configIds), name: In([...new Set(edsNames)]) }),
  ]);
  const configOf = new Map(configs.map((config) => [config.id, config]));
  const assignmentOf = new Map(
    assignments.map((row) => [`${row.configId}/${row.name}`, row.body as JsonObject]),
  );
  return summarized.map(({ cluster, summary }) => {
    const config = configOf.get(cluster.configId);
    if (config === undefined) throw new Error(`cluster ${cluster.id} belongs to no visible config`);
    const assignment =
      summary.endpointSource === 'eds'
        ? assignmentOf.get(`${cluster.configId}/${summary.edsServiceName ?? ''}`)
        : summary.endpointSource === 'inline'
          ? ((cluster.body as JsonObject)['load_assignment'] as JsonObject)
          : undefined;
    const endpoints = assignment === undefined ? [] : endpointsOf(assignment);
    return {
      endpoints,
      service: {
        id: cluster.id,
        name: cluster.name,
        configId: config.id,
        configName: config.name,
        configVersion: config.latestVersion,
        ...summary,
        endpointCount: endpoints.length,
      },
    };
  });
}

function endpointsView({ service, endpoints }: ResolvedCluster): ServiceEndpointsView {
  const { id, name, configId, configName, configVersion, endpointSource } = service;
  return { id, name, configId, configName, configVersion, endpointSource, endpoints: [...endpoints] };
}
