import { createHash, randomUUID } from 'node:crypto';
import {
  ConfigBindingEntity,
  ConfigEntity,
  ConfigTemplateEntity,
  ConfigVersionEntity,
  ProxyEntity,
  ProxyGroupEntity,
  TenantEntity,
  withSystem,
} from '@envoy-fleet/db';
import {
  type ConfigDocument,
  configDocumentHashInput,
  type ConfigOverride,
  type JsonObject,
  type Labels,
} from '@envoy-fleet/domain';
import { type DataSource, type EntityManager } from 'typeorm';

/** Writes the rows snapshot building reads, as the system role, the way the api would leave them. */
export class FleetRecords {
  private nextPort = 20000;

  constructor(
    private readonly dataSource: DataSource,
    readonly tenantId: string,
  ) {}

  static async forNewTenant(dataSource: DataSource): Promise<FleetRecords> {
    const name = `t-${randomUUID().slice(0, 8)}`;
    const tenant = await write(dataSource, (manager) =>
      manager.save(manager.create(TenantEntity, { name, displayName: name })),
    );
    return new FleetRecords(dataSource, tenant.id);
  }

  async group(name: string, parentId: string | null = null): Promise<string> {
    const group = await write(this.dataSource, (manager) =>
      manager.save(manager.create(ProxyGroupEntity, { tenantId: this.tenantId, name, parentId })),
    );
    return group.id;
  }

  async proxy(nodeId: string, groupId: string, labels: Labels = {}): Promise<string> {
    const port = this.nextPort;
    this.nextPort += 2;
    const proxy = await write(this.dataSource, (manager) =>
      manager.save(
        manager.create(ProxyEntity, {
          tenantId: this.tenantId,
          nodeId,
          groupId,
          labels,
          containerName: nodeId,
          proxyPort: port,
          adminPort: port + 1,
          image: 'envoyproxy/envoy:v1.36.2',
        }),
      ),
    );
    return proxy.id;
  }

  /** What fleet-manager recorded on the proxy about a config it could not serve. */
  async rejectionOf(nodeId: string): Promise<Pick<ProxyEntity, 'configRejection' | 'configRejectedAt'>> {
    const { configRejection, configRejectedAt } = await write(this.dataSource, (manager) =>
      manager.findOneByOrFail(ProxyEntity, { tenantId: this.tenantId, nodeId }),
    );
    return { configRejection, configRejectedAt };
  }

  async deleteProxy(proxyId: string): Promise<void> {
    await write(this.dataSource, (manager) => manager.delete(ProxyEntity, { id: proxyId }));
  }

  async config(name: string): Promise<string> {
    const config = await write(this.dataSource, (manager) =>
      manager.save(manager.create(ConfigEntity, { tenantId: this.tenantId, name })),
    );
    return config.id;
  }

  /** Appends the config's next version, which becomes its latest; resolves to the version id. */
  async version(configId: string, document: ConfigDocument): Promise<string> {
    return write(this.dataSource, async (manager) => {
      const config = await manager.findOneByOrFail(ConfigEntity, { id: configId });
      const number = config.latestVersion + 1;
      const version = await manager.save(
        manager.create(ConfigVersionEntity, {
          tenantId: this.tenantId,
          configId,
          number,
          contentHash: createHash('sha256').update(configDocumentHashInput(document)).digest('hex'),
          document,
          author: 'test',
        }),
      );
      await manager.update(ConfigEntity, { id: configId }, { latestVersion: number });
      return version.id;
    });
  }

  bindGroup(groupId: string, configId: string): Promise<string> {
    return this.bind({ mode: 'group', groupId, configId });
  }

  bindInstance(proxyId: string, configId: string): Promise<string> {
    return this.bind({ mode: 'instance', proxyId, configId });
  }

  bindLabels(matchLabels: Labels, configId: string): Promise<string> {
    return this.bind({ mode: 'label_selector', labelSelector: { matchLabels }, configId });
  }

  async template(name: string, body: string, parametersSchema: JsonObject = {}): Promise<string> {
    const template = await write(this.dataSource, (manager) =>
      manager.save(
        manager.create(ConfigTemplateEntity, { tenantId: this.tenantId, name, body, parametersSchema }),
      ),
    );
    return template.id;
  }

  async updateTemplate(
    templateId: string,
    fields: { body?: string; parametersSchema?: JsonObject },
  ): Promise<void> {
    await write(this.dataSource, async (manager) => {
      const template = await manager.findOneByOrFail(ConfigTemplateEntity, { id: templateId });
      await manager.save(Object.assign(template, fields));
    });
  }

  /** A template binding aimed at one proxy, a group, or the proxies a selector matches. */
  bindTemplate(
    target: { proxyId: string } | { groupId: string } | { labelSelector: { matchLabels: Labels } },
    templateId: string,
    parameters: JsonObject,
    priority = 0,
  ): Promise<string> {
    return this.bind({ mode: 'template', ...target, templateId, parameters, priority });
  }

  bindInherit(proxyId: string, parentProxyId: string, overrides: ConfigOverride[] = []): Promise<string> {
    return this.bind({ mode: 'inherit', proxyId, parentProxyId, overrides });
  }

  async unbind(bindingId: string): Promise<void> {
    await write(this.dataSource, (manager) => manager.delete(ConfigBindingEntity, { id: bindingId }));
  }

  private async bind(fields: Partial<ConfigBindingEntity>): Promise<string> {
    const binding = await write(this.dataSource, (manager) =>
      manager.save(manager.create(ConfigBindingEntity, { tenantId: this.tenantId, ...fields })),
    );
    return binding.id;
  }
}

function write<T>(dataSource: DataSource, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  return withSystem(dataSource, { actor: 'test:fleet-manager' }, work);
}
