import { type EventBus, type EventOf, type MessagingLogger } from '@envoy-fleet/messaging';
import { type OwnedResources } from '@envoy-fleet/telemetry';
import { type Registry } from 'prom-client';
import { type DataSource } from 'typeorm';
import { AgentReportHandler } from '../health/agent-report.handler';
import { runPeriodically } from '../common/periodic-task';
import { NodeLossMonitor } from '../health/node-loss.monitor';
import { ProxyHealthMonitor } from '../health/proxy-health.monitor';
import { AgentCommandSender } from './agent-command.sender';
import { FleetConvergence } from './fleet-convergence';
import { countFleet, FleetMetrics } from './fleet-metrics';
import { type FleetSettings } from './fleet-settings';
import { GroupScaler } from './group-scaler';
import { RollingImageUpdate } from './rolling-image-update';

/** Every replica joins these consumer groups, so each event is handled by one of them. */
export const SCHEDULING_CONSUMER = 'fleet-manager-scheduling';
export const AGENT_REPORTS_CONSUMER = 'fleet-manager-agent-reports';
export const CONVERGENCE_CONSUMER = 'fleet-manager-convergence';

const SCALE_TRIGGERS = ['group.scaled', 'group.changed'] as const;
const AGENT_REPORTS = ['agent.command.completed', 'agent.container.changed', 'agent.registered'] as const;
/** A VM that becomes ready, or whose capacity or ports change, may have room for groups left short. */
const CONVERGENCE_TRIGGERS = ['node.status.changed', 'node.changed'] as const;

export interface FleetSchedulingDependencies {
  readonly settings: FleetSettings;
  readonly dataSource: DataSource;
  readonly systemDataSource: DataSource;
  readonly bus: EventBus;
  readonly registry: Registry;
  readonly logger: MessagingLogger;
}

/**
 * Scheduling and the health monitor: scales groups when their desired replicas change, rolls them
 * over to a new image, folds agent
 * reports into proxy and VM state, and handles VMs that stop heartbeating. Everything it opens is
 * closed with the app.
 */
export async function startFleetScheduling(
  resources: OwnedResources,
  deps: FleetSchedulingDependencies,
): Promise<GroupScaler> {
  const { settings, bus, logger } = deps;
  const metrics = new FleetMetrics(deps.registry, () => countFleet(deps.systemDataSource));
  const commands = new AgentCommandSender({ bus, settings, metrics, logger });
  const scaler = new GroupScaler({ dataSource: deps.dataSource, commands, settings, logger });
  const convergence = new FleetConvergence({
    systemDataSource: deps.systemDataSource,
    scaler,
    registry: deps.registry,
    logger,
  });
  const reports = new AgentReportHandler({
    systemDataSource: deps.systemDataSource,
    metrics,
    heartbeatRefreshMs: Math.floor(settings.heartbeatTimeoutMs / 4),
    disconnectGraceMs: settings.disconnectGraceMs,
    logger,
  });
  const rollingUpdate = new RollingImageUpdate({
    dataSource: deps.dataSource,
    systemDataSource: deps.systemDataSource,
    commands,
    logger,
  });
  const nodeLoss = new NodeLossMonitor({
    systemDataSource: deps.systemDataSource,
    scaler,
    heartbeatTimeoutMs: settings.heartbeatTimeoutMs,
    disconnectGraceMs: settings.disconnectGraceMs,
    logger,
  });
  const proxyHealth = new ProxyHealthMonitor({
    systemDataSource: deps.systemDataSource,
    disconnectGraceMs: settings.disconnectGraceMs,
    logger,
  });
  const every = (name: string, run: () => Promise<unknown>) =>
    runPeriodically(resources, { name, intervalMs: settings.healthIntervalMs, run, logger });
  await every('rolling image update step', () => rollingUpdate.executeAll());

  await resources.open(
    'scaling consumer',
    () =>
      bus.consume({
        durable: SCHEDULING_CONSUMER,
        types: SCALE_TRIGGERS,
        handler: async (event) => {
          if (event.tenantId === null || !wantsScaling(event)) return;
          const target = { tenantId: event.tenantId, groupId: event.payload.groupId };
          await scaler.execute(target);
          await rollingUpdate.execute(target);
        },
      }),
    (subscription) => subscription.stop(),
  );
  await resources.open(
    'agent report consumer',
    () =>
      bus.consume({
        durable: AGENT_REPORTS_CONSUMER,
        types: AGENT_REPORTS,
        handler: (event) => handleReport(reports, event),
      }),
    (subscription) => subscription.stop(),
  );
  await resources.open(
    'convergence consumer',
    () =>
      bus.consume({
        durable: CONVERGENCE_CONSUMER,
        types: CONVERGENCE_TRIGGERS,
        handler: async (event) => {
          if (
            event.type === 'node.status.changed'
              ? event.payload.status !== 'ready'
              : event.payload.change === 'deleted'
          )
            return;
          await convergence.execute();
        },
      }),
    (subscription) => subscription.stop(),
  );
  await resources.open(
    'heartbeat subscription',
    () => bus.subscribe('agent.heartbeat', (event) => reports.heartbeat(event.payload)),
    (subscription) => subscription.stop(),
  );
  await every('node loss check', () => nodeLoss.execute());
  await every('proxy health pass', () => proxyHealth.execute());
  // Groups left short (no ready VM had room, a send failed) converge on the interval too.
  await every('convergence pass', () => convergence.execute());
  return scaler;
}

function wantsScaling(event: EventOf<(typeof SCALE_TRIGGERS)[number]>): boolean {
  return event.type === 'group.scaled' || event.payload.change !== 'deleted';
}

function handleReport(
  reports: AgentReportHandler,
  event: EventOf<(typeof AGENT_REPORTS)[number]>,
): Promise<void> {
  switch (event.type) {
    case 'agent.command.completed':
      return reports.commandCompleted(event.payload);
    case 'agent.container.changed':
      return reports.containerChanged(event.payload);
    case 'agent.registered':
      return reports.registered(event.payload);
  }
}
