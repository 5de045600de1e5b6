import type { ContainerStateChange } from '@envoy-fleet/domain';
import type { Logger } from '@envoy-fleet/telemetry';
import type { Clock } from '../agent/clock';
import { AGENT_LABELS, specFromLabels } from '../containers/container-labels';
import type { ReportOutbox } from '../reports/report-outbox';
import type { AdminClient } from './admin-client';
import type { ContainerInventory } from './container-inventory';

/**
 * Probes the admin `/ready` of every running proxy of this node [FR-DC-004/005] and reports each
 * change of verdict as an `agent.container.changed` of kind `health`.
 */
export class HealthProber {
  constructor(
    private readonly nodeId: string,
    private readonly inventory: ContainerInventory,
    private readonly admin: AdminClient,
    private readonly reports: ReportOutbox,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  async probeAll(): Promise<void> {
    const { managed } = await this.inventory.list();
    await Promise.all(
      managed
        .filter((container) => container.state === 'running')
        .map(async (container) => {
          const spec = specFromLabels(container.labels);
          if (spec === null) return;
          const probe = await this.admin.probe(spec.adminPort, false);
          const health = probe.ready ? 'healthy' : 'unhealthy';
          if (!this.inventory.recordHealth(container.id, health)) return;
          const change: ContainerStateChange = {
            nodeId: this.nodeId,
            proxyId: spec.proxyId,
            containerId: container.id,
            containerName: container.name,
            change: 'health',
            status: 'running',
            exitCode: null,
            health,
            observedAt: this.clock.now().toISOString(),
          };
          this.logger.info(
            { proxyId: spec.proxyId, health, readyStatus: probe.readyStatus, error: probe.error },
            'proxy health changed',
          );
          this.reports.durable('agent.container.changed', change, {
            tenantId: container.labels[AGENT_LABELS.tenantId] ?? null,
            aggregateId: this.nodeId,
          });
        }),
    );
  }
}
