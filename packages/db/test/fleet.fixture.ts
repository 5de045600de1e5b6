import { randomUUID } from 'node:crypto';
import { type DataSource } from 'typeorm';
import { NodeEntity, ProxyEntity, ProxyGroupEntity, TenantEntity, withSystem } from '../src';

export interface SeededTenant {
  readonly tenantId: string;
  readonly groupId: string;
  readonly vmId: string;
  readonly proxyId: string;
  readonly nodeId: string;
}

/** A tenant with one group, one VM and one proxy, created the way bootstrap does: as the system role. */
export async function seedTenant(system: DataSource, name: string): Promise<SeededTenant> {
  return withSystem(system, { actor: 'system:test-fixture' }, async (manager) => {
    const tenant = await manager.save(
      manager.create(TenantEntity, { name, displayName: name.toUpperCase() }),
    );
    const group = await manager.save(manager.create(ProxyGroupEntity, { tenantId: tenant.id, name: 'edge' }));
    const vm = await manager.save(
      manager.create(NodeEntity, {
        tenantId: tenant.id,
        hostname: `${name}-vm-1`,
        cpuMillicores: 4000,
        memoryMib: 8192,
      }),
    );
    const proxy = await manager.save(
      manager.create(ProxyEntity, {
        tenantId: tenant.id,
        nodeId: `${name}-${randomUUID()}`,
        groupId: group.id,
        vmId: vm.id,
        containerName: 'envoy-proxy-edge-001',
        proxyPort: 10_001,
        adminPort: 20_001,
        image: 'envoyproxy/envoy:v1.36.2',
      }),
    );
    return { tenantId: tenant.id, groupId: group.id, vmId: vm.id, proxyId: proxy.id, nodeId: proxy.nodeId };
  });
}
