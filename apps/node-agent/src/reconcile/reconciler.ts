import type { ReconcileReport } from '@envoy-fleet/domain';
import type { Logger } from '@envoy-fleet/telemetry';
import type { Clock } from '../agent/clock';
import { specFromLabels } from '../containers/container-labels';
import { isUp } from '../containers/container-status';
import type { ContainerOperations } from '../containers/container-operations';
import type { DesiredProxies } from '../containers/desired-proxies';
import type { ContainerEngine } from '../docker/container-engine';
import type { ContainerInventory } from '../observe/container-inventory';
import type { ReportOutbox } from '../reports/report-outbox';

/**
 * Brings Docker in line with what the control plane asked for, from Docker alone: containers carrying
 * this node's labels teach the agent their proxies (after a restart, a running container is wanted
 * running and a stopped one stopped); wanted proxies whose container is gone are created again;
 * containers named like proxies without the agent's labels are reported, and removed only when
 * configured to. Each pass ends with an `agent.reconciled` report.
 */
export class Reconciler {
  private running: Promise<ReconcileReport> | undefined;

  constructor(
    private readonly nodeId: string,
    private readonly engine: ContainerEngine,
    private readonly inventory: ContainerInventory,
    private readonly desired: DesiredProxies,
    private readonly operations: ContainerOperations,
    private readonly removeUnknown: boolean,
    private readonly reports: ReportOutbox,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** One pass; a call during a pass waits for that pass. */
  reconcile(): Promise<ReconcileReport> {
    this.running ??= this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(): Promise<ReconcileReport> {
    const before = await this.inventory.list();
    const present = new Set<string>();
    for (const container of before.managed) {
      const spec = specFromLabels(container.labels);
      if (spec === null) {
        this.logger.warn(
          { container: container.name },
          'a managed container has no readable spec label; leaving it',
        );
        continue;
      }
      present.add(spec.proxyId);
      this.desired.learn({ spec, running: isUp(container.state) });
    }
    const recreated: string[] = [];
    for (const proxy of this.desired.all()) {
      if (present.has(proxy.spec.proxyId)) continue;
      try {
        if (await this.operations.recreate(proxy.spec.proxyId)) {
          recreated.push(proxy.spec.proxyId);
          this.logger.warn(
            { proxyId: proxy.spec.proxyId },
            'the container of a wanted proxy was missing: created it again',
          );
        }
      } catch (error) {
        this.logger.error(
          { proxyId: proxy.spec.proxyId, err: error },
          'could not create the missing container again',
        );
      }
    }
    const removedUnknown: string[] = [];
    if (this.removeUnknown) {
      for (const container of before.unknown) {
        await this.engine.removeContainer(container.id);
        removedUnknown.push(container.name);
        this.logger.warn({ container: container.name }, 'removed a container the agent does not manage');
      }
    }
    const after = recreated.length > 0 || removedUnknown.length > 0 ? await this.inventory.list() : before;
    const report: ReconcileReport = {
      nodeId: this.nodeId,
      containers: [...after.managed, ...after.unknown].map((container) =>
        this.inventory.report(container, null),
      ),
      recreated,
      unknown: before.unknown.map((container) => container.name),
      removedUnknown,
      completedAt: this.clock.now().toISOString(),
    };
    this.reports.durable('agent.reconciled', report, { tenantId: null, aggregateId: this.nodeId });
    return report;
  }
}
