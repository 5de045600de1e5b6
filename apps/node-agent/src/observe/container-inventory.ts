import type { ContainerHealth, ContainerReport, ContainerUsage } from '@envoy-fleet/domain';
import { AGENT_LABELS, managedByNodeFilter, specFromLabels } from '../containers/container-labels';
import { proxyStatusOf } from '../containers/container-status';
import type { ContainerEngine, ContainerStatsSample, ContainerSummary } from '../docker/container-engine';

/** The name prefix of proxy containers (`envoy-proxy-<group>-<n>`). */
export const PROXY_CONTAINER_PREFIX = 'envoy-proxy-';

export interface Inventory {
  /** The containers this node's agent manages. */
  readonly managed: readonly ContainerSummary[];
  /** Containers named like proxies that the agent does not manage (no agent labels). */
  readonly unknown: readonly ContainerSummary[];
}

const MIB = 1024 * 1024;

/**
 * What runs on this node: the agent's containers, the unknown ones, their last probed health, and
 * resource use computed from successive stats samples.
 */
export class ContainerInventory {
  private readonly health = new Map<string, ContainerHealth>();
  private readonly previous = new Map<string, ContainerStatsSample>();

  constructor(
    private readonly engine: ContainerEngine,
    private readonly nodeId: string,
    private readonly stoppedByAgent: (containerId: string) => boolean,
  ) {}

  async list(): Promise<Inventory> {
    const [managed, named] = await Promise.all([
      this.engine.listContainers(managedByNodeFilter(this.nodeId)),
      this.engine.listContainersNamed(PROXY_CONTAINER_PREFIX),
    ]);
    const unknown = named.filter((container) => container.labels[AGENT_LABELS.managed] !== 'true');
    return { managed, unknown };
  }

  /** Records a probe's verdict; returns true when it differs from the last one. */
  recordHealth(containerId: string, health: ContainerHealth): boolean {
    const before = this.health.get(containerId) ?? 'unknown';
    this.health.set(containerId, health);
    return before !== health;
  }

  forget(containerId: string): void {
    this.health.delete(containerId);
    this.previous.delete(containerId);
  }

  report(
    container: ContainerSummary,
    usage: ContainerUsage | null,
    exitCode: number | null = null,
  ): ContainerReport {
    const managed = container.labels[AGENT_LABELS.managed] === 'true';
    return {
      containerId: container.id,
      containerName: container.name,
      proxyId: managed ? (container.labels[AGENT_LABELS.proxyId] ?? null) : null,
      state: container.state,
      status: proxyStatusOf(container.state, exitCode, this.stoppedByAgent(container.id)),
      health: container.state === 'running' ? (this.health.get(container.id) ?? 'unknown') : 'unknown',
      image: container.image,
      usage,
    };
  }

  /** Reports with resource use for running containers (from the previous sample to this one). */
  async reportsWithUsage(inventory: Inventory): Promise<ContainerReport[]> {
    const all = [...inventory.managed, ...inventory.unknown];
    const live = new Set(all.map((container) => container.id));
    for (const id of this.previous.keys()) if (!live.has(id)) this.forget(id);
    return Promise.all(
      all.map(async (container) =>
        this.report(container, container.state === 'running' ? await this.usage(container) : null),
      ),
    );
  }

  private async usage(container: ContainerSummary): Promise<ContainerUsage | null> {
    const containerId = container.id;
    const sample = await this.engine.stats(containerId).catch(() => null);
    if (sample === null) return null;
    const before = this.previous.get(containerId);
    this.previous.set(containerId, sample);
    const cpuDelta = before === undefined ? 0 : sample.cpuTotalNs - before.cpuTotalNs;
    const systemDelta = before === undefined ? 0 : sample.systemCpuNs - before.systemCpuNs;
    const cores = systemDelta > 0 && cpuDelta > 0 ? (cpuDelta / systemDelta) * sample.onlineCpus : 0;
    return {
      cpuMillicores: Math.round(cores * 1000),
      memoryMib: Math.round((sample.memoryBytes / MIB) * 10) / 10,
      // Docker reports the host's memory as the limit of an unlimited container: the spec says which it is.
      memoryLimitMib: specFromLabels(container.labels)?.resources.memoryMib ?? null,
    };
  }
}
