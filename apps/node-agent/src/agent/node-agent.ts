import type { Labels, NodeHeartbeat, NodeRegistration } from '@envoy-fleet/domain';
import type { EventBus, Subscription } from '@envoy-fleet/messaging';
import type { Logger } from '@envoy-fleet/telemetry';
import { CommandConsumer } from '../commands/command-consumer';
import { CommandExecutor } from '../commands/command-executor';
import { ContainerOperations } from '../containers/container-operations';
import { DesiredProxies } from '../containers/desired-proxies';
import type { ContainerEngine } from '../docker/container-engine';
import { LogStreamer } from '../logs/log-streamer';
import type { AdminClient } from '../observe/admin-client';
import { ContainerInventory } from '../observe/container-inventory';
import { DockerEventWatcher } from '../observe/docker-event-watcher';
import { HealthProber } from '../observe/health-prober';
import { Reconciler } from '../reconcile/reconciler';
import { AGENT_VERSION, HostSampler, hostAddresses, hostCapacity } from '../registration/host-facts';
import { ReportOutbox } from '../reports/report-outbox';
import { type Clock, retryDelayMs } from './clock';
import { KeyedMutex } from './keyed-mutex';

export interface NodeAgentConfig {
  /** The node's id (`nodes.id`): names its command subject and is in every report. */
  readonly nodeId: string;
  readonly hostname: string;
  readonly region: string | null;
  readonly zone: string | null;
  readonly labels: Labels;
  /** `host`, or the Docker network the containers join. */
  readonly network: string;
  readonly heartbeatIntervalMs: number;
  readonly probeIntervalMs: number;
  readonly reconcileIntervalMs: number;
  readonly removeUnknown: boolean;
}

export interface NodeAgentDependencies {
  readonly engine: ContainerEngine;
  readonly bus: EventBus;
  readonly admin: AdminClient;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** How long closing waits for reports NATS has not taken yet. */
const CLOSE_FLUSH_TIMEOUT_MS = 3_000;

/**
 * The agent of one VM. Docker is the source of truth: the agent keeps no state of its own, so it can be
 * restarted at will; the containers run on without it. NATS and Docker may come and go: every loop
 * retries with backoff, and reports wait in memory until NATS takes them.
 */
export class NodeAgent {
  private readonly stopping = new AbortController();
  private readonly tasks: Promise<void>[] = [];
  private readonly reports: ReportOutbox;
  private readonly inventory: ContainerInventory;
  private readonly reconciler: Reconciler;
  private readonly watcher: DockerEventWatcher;
  private readonly prober: HealthProber;
  private readonly logs: LogStreamer;
  private readonly commands: CommandConsumer;
  private readonly host = new HostSampler();
  private readonly startedAt: Date;
  private subscription: Subscription | undefined;

  constructor(
    private readonly config: NodeAgentConfig,
    private readonly deps: NodeAgentDependencies,
  ) {
    const { engine, bus, admin, clock, logger } = deps;
    const { nodeId } = config;
    this.startedAt = clock.now();
    this.reports = new ReportOutbox(bus, clock, logger);
    const desired = new DesiredProxies();
    const operations = new ContainerOperations(
      engine,
      admin,
      desired,
      new KeyedMutex(),
      config,
      clock,
      logger,
    );
    const stoppedByAgent = (containerId: string): boolean => operations.wasStoppedByAgent(containerId);
    this.inventory = new ContainerInventory(engine, nodeId, stoppedByAgent);
    this.reconciler = new Reconciler(
      nodeId,
      engine,
      this.inventory,
      desired,
      operations,
      config.removeUnknown,
      this.reports,
      clock,
      logger,
    );
    this.watcher = new DockerEventWatcher(
      engine,
      nodeId,
      this.inventory,
      stoppedByAgent,
      this.reports,
      clock,
      logger,
      async () => void (await this.reconciler.reconcile()),
    );
    this.prober = new HealthProber(nodeId, this.inventory, admin, this.reports, clock, logger);
    this.logs = new LogStreamer(engine, this.reports, clock, logger);
    this.commands = new CommandConsumer(
      nodeId,
      new CommandExecutor(nodeId, operations, this.logs, clock),
      this.reports,
      logger,
    );
  }

  /** Starts every loop in the background and returns at once. */
  start(): void {
    const signal = this.stopping.signal;
    const firstReconcile = this.retry('first reconciliation', () => this.reconciler.reconcile());
    this.tasks.push(
      this.register(),
      firstReconcile.then(() =>
        this.every(this.config.reconcileIntervalMs, 'reconciliation', () => this.reconciler.reconcile()),
      ),
      // NATS may be down: the bus waits for it without end, so closing does not wait for this one.
      this.untilStopped(firstReconcile.then(() => this.attachCommands())),
      this.watcher.run(signal),
      this.every(this.config.heartbeatIntervalMs, 'heartbeat', () => this.heartbeat(), true),
      this.every(this.config.probeIntervalMs, 'health probes', () => this.prober.probeAll(), true),
    );
    this.deps.logger.info(
      { nodeId: this.config.nodeId, hostname: this.config.hostname },
      'node agent started',
    );
  }

  /** Stops taking commands, ends the loops and log streams, and sends what reports it can. */
  async close(): Promise<void> {
    this.stopping.abort();
    this.logs.close();
    await Promise.all(this.tasks);
    await this.subscription?.stop();
    await this.reports.close(CLOSE_FLUSH_TIMEOUT_MS);
  }

  private async register(): Promise<void> {
    const dockerVersion = await this.deps.engine.version().catch(() => null);
    const registration: NodeRegistration = {
      nodeId: this.config.nodeId,
      hostname: this.config.hostname,
      addresses: hostAddresses(),
      region: this.config.region,
      zone: this.config.zone,
      labels: this.config.labels,
      capacity: hostCapacity(),
      agentVersion: AGENT_VERSION,
      dockerVersion,
      startedAt: this.startedAt.toISOString(),
    };
    this.reports.durable('agent.registered', registration, {
      tenantId: null,
      aggregateId: this.config.nodeId,
    });
  }

  private async attachCommands(): Promise<void> {
    await this.retry('provision the NATS streams', () => this.deps.bus.provisionStreams());
    if (this.stopping.signal.aborted) return;
    const subscription = await this.retry('take commands from NATS', () =>
      this.commands.consume(this.deps.bus),
    );
    if (subscription === undefined) return;
    if (this.stopping.signal.aborted) await subscription.stop();
    else this.subscription = subscription;
  }

  private async heartbeat(): Promise<void> {
    const inventory = await this.inventory.list().catch(() => null);
    const heartbeat: NodeHeartbeat = {
      nodeId: this.config.nodeId,
      sentAt: this.deps.clock.now().toISOString(),
      dockerReachable: inventory !== null,
      host: this.host.sample(),
      containers: inventory === null ? [] : await this.inventory.reportsWithUsage(inventory),
    };
    await this.reports.broadcast('agent.heartbeat', heartbeat, {
      tenantId: null,
      aggregateId: this.config.nodeId,
    });
  }

  private untilStopped(task: Promise<void>): Promise<void> {
    const stopped = new Promise<void>((resolve) =>
      this.stopping.signal.addEventListener('abort', () => resolve()),
    );
    return Promise.race([task, stopped]);
  }

  /** Runs `task` until it succeeds or the agent stops; undefined when stopped first. */
  private async retry<T>(what: string, task: () => Promise<T>): Promise<T | undefined> {
    for (let attempt = 1; !this.stopping.signal.aborted; attempt += 1) {
      try {
        return await task();
      } catch (error) {
        this.deps.logger.warn({ err: error, attempt }, `cannot ${what} yet; retrying`);
        await this.deps.clock.sleep(retryDelayMs(attempt), this.stopping.signal);
      }
    }
    return undefined;
  }

  private async every(
    intervalMs: number,
    what: string,
    task: () => Promise<unknown>,
    immediately = false,
  ): Promise<void> {
    const signal = this.stopping.signal;
    if (!immediately) await this.deps.clock.sleep(intervalMs, signal);
    while (!signal.aborted) {
      try {
        await task();
      } catch (error) {
        this.deps.logger.warn({ err: error }, `${what} failed`);
      }
      await this.deps.clock.sleep(intervalMs, signal);
    }
  }
}
