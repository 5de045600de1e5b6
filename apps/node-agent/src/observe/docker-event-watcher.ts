import type { ContainerChange, ContainerStateChange } from '@envoy-fleet/domain';
import type { Logger } from '@envoy-fleet/telemetry';
import { type Clock, retryDelayMs } from '../agent/clock';
import { AGENT_LABELS, managedByNodeFilter } from '../containers/container-labels';
import { proxyStatusOf } from '../containers/container-status';
import type { ContainerEngine, DockerContainerEvent, WatchedDockerEvent } from '../docker/container-engine';
import type { ReportOutbox } from '../reports/report-outbox';
import type { ContainerInventory } from './container-inventory';

const CHANGES: { readonly [E in WatchedDockerEvent]: ContainerChange } = {
  start: 'start',
  die: 'die',
  oom: 'oom',
  health_status: 'health',
  destroy: 'destroy',
};

/**
 * Follows the Docker events of this node's containers and reports each one at once. When the stream
 * breaks (the Docker daemon restarted), it reconnects with backoff and asks for a reconciliation, which
 * catches up with whatever happened meanwhile.
 */
export class DockerEventWatcher {
  constructor(
    private readonly engine: ContainerEngine,
    private readonly nodeId: string,
    private readonly inventory: ContainerInventory,
    private readonly stoppedByAgent: (containerId: string) => boolean,
    private readonly reports: ReportOutbox,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly onReconnect: () => Promise<void>,
  ) {}

  /** Runs until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      try {
        if (failures > 0) await this.onReconnect();
        for await (const event of this.engine.events(managedByNodeFilter(this.nodeId), signal)) {
          if (failures > 0) this.logger.info('following Docker events again');
          failures = 0;
          this.report(event);
        }
      } catch (error) {
        if (signal.aborted) return;
        failures += 1;
        if (failures === 1) this.logger.warn({ err: error }, 'lost the Docker events stream; reconnecting');
        await this.clock.sleep(retryDelayMs(failures), signal);
      }
    }
  }

  private report(event: DockerContainerEvent): void {
    const proxyId = event.labels[AGENT_LABELS.proxyId] ?? null;
    const tenantId = event.labels[AGENT_LABELS.tenantId] ?? null;
    const stopped = this.stoppedByAgent(event.containerId);
    const status =
      event.action === 'start'
        ? 'running'
        : event.action === 'oom'
          ? 'failed'
          : event.action === 'die'
            ? proxyStatusOf('exited', event.exitCode, stopped)
            : event.action === 'destroy'
              ? 'unknown'
              : 'running';
    if (event.action === 'destroy' || event.action === 'die') this.inventory.forget(event.containerId);
    const change: ContainerStateChange = {
      nodeId: this.nodeId,
      proxyId,
      containerId: event.containerId,
      containerName: event.name,
      change: CHANGES[event.action],
      status,
      exitCode: event.action === 'die' ? event.exitCode : null,
      health:
        event.action === 'health_status' ? (event.health === 'starting' ? 'unknown' : event.health) : null,
      observedAt: event.time.toISOString(),
    };
    this.logger.info(
      { proxyId, container: event.name, change: change.change, exitCode: change.exitCode },
      'container changed',
    );
    this.reports.durable('agent.container.changed', change, { tenantId, aggregateId: this.nodeId });
  }
}
