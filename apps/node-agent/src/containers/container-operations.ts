import {
  type AgentCommandPayloads,
  type AgentErrorCode,
  DEFAULT_STOP_GRACE_SECONDS,
  type ProbeResult,
  type ProxyContainerSpec,
} from '@envoy-fleet/domain';
import type { Logger } from '@envoy-fleet/telemetry';
import type { Clock } from '../agent/clock';
import type { KeyedMutex } from '../agent/keyed-mutex';
import type { ContainerEngine, ContainerSummary } from '../docker/container-engine';
import { EngineError } from '../docker/container-engine';
import type { AdminClient } from '../observe/admin-client';
import { type AgentPlacement, containerDefinition, containerNameOf } from './container-definition';
import { AGENT_LABELS, managedByNodeFilter, specFromLabels, specHash } from './container-labels';
import { isUp } from './container-status';
import type { DesiredProxies } from './desired-proxies';

/** A command that cannot be carried out, with the protocol's error code. */
export class CommandFailure extends Error {
  constructor(
    readonly code: AgentErrorCode,
    message: string,
    readonly containerId: string | null = null,
  ) {
    super(message);
    this.name = 'CommandFailure';
  }
}

export interface OperationOutcome {
  readonly containerId: string | null;
  readonly changed: boolean;
  readonly probe: ProbeResult | null;
}

/** How long a stop the agent asked for colours the `die` that follows it (a stop, not a crash). */
const STOP_MEMORY_MS = 10 * 60_000;
const PULL_PROGRESS_LOG_INTERVAL_MS = 2_000;

/**
 * The container operations behind the commands, each stated as a desired end state so that doing one
 * twice changes nothing the second time. Operations on one proxy run one at a time.
 */
export class ContainerOperations {
  /** Containers the agent stopped, with when (milliseconds); entries older than STOP_MEMORY_MS go. */
  private readonly stoppedByAgent = new Map<string, number>();

  constructor(
    private readonly engine: ContainerEngine,
    private readonly admin: AdminClient,
    private readonly desired: DesiredProxies,
    private readonly locks: KeyedMutex,
    private readonly placement: AgentPlacement,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  create(payload: AgentCommandPayloads['create']): Promise<OperationOutcome> {
    const { start, ...spec } = payload;
    return this.locks.run(spec.proxyId, async () => {
      // Wanted once created: a create that failed is the sender's to retry, not reconciliation's.
      const outcome = await this.ensure(spec, start, await this.find(spec.proxyId));
      this.desired.set({ spec, running: start });
      return outcome;
    });
  }

  start(proxyId: string): Promise<OperationOutcome> {
    return this.locks.run(proxyId, async () => {
      this.desired.setRunning(proxyId, true);
      const container = await this.find(proxyId);
      if (container === null) {
        const known = this.desired.get(proxyId);
        if (known === undefined) throw notFound(proxyId);
        return this.ensure(known.spec, true, null);
      }
      return this.bringUp(container);
    });
  }

  stop(proxyId: string, graceSeconds: number): Promise<OperationOutcome> {
    return this.locks.run(proxyId, async () => {
      this.desired.setRunning(proxyId, false);
      const container = await this.find(proxyId);
      if (container === null) return unchanged(null);
      if (!isUp(container.state)) return unchanged(container.id);
      await this.stopContainer(container.id, graceSeconds);
      return changed(container.id);
    });
  }

  /**
   * Restarts the container unless its process started after `issuedAt` (the command's): a restart
   * redelivered after the agent itself restarted, when the first delivery's result is no longer
   * remembered, does not restart it a second time.
   */
  restart(proxyId: string, graceSeconds: number, issuedAt: Date | null): Promise<OperationOutcome> {
    return this.locks.run(proxyId, async () => {
      this.desired.setRunning(proxyId, true);
      const container = await this.find(proxyId);
      if (container === null) {
        const known = this.desired.get(proxyId);
        if (known === undefined) throw notFound(proxyId);
        return this.ensure(known.spec, true, null);
      }
      if (issuedAt !== null && container.state === 'running') {
        const startedAt = (await this.engine.inspectContainer(container.id))?.startedAt ?? null;
        if (startedAt !== null && startedAt >= issuedAt) return unchanged(container.id);
      }
      this.rememberStop(container.id);
      await this.engine.restartContainer(container.id, graceSeconds);
      return changed(container.id);
    });
  }

  remove(proxyId: string, graceSeconds: number): Promise<OperationOutcome> {
    return this.locks.run(proxyId, async () => {
      this.desired.delete(proxyId);
      const container = await this.find(proxyId);
      if (container === null) return unchanged(null);
      await this.removeContainer(container, graceSeconds);
      return changed(null);
    });
  }

  updateImage(payload: AgentCommandPayloads['update-image']): Promise<OperationOutcome> {
    return this.locks.run(payload.proxyId, async () => {
      const container = await this.find(payload.proxyId);
      const spec =
        this.desired.get(payload.proxyId)?.spec ??
        (container === null ? null : specFromLabels(container.labels));
      if (spec === null) throw notFound(payload.proxyId);
      const running =
        this.desired.get(payload.proxyId)?.running ?? (container !== null && isUp(container.state));
      const updated = { ...spec, image: payload.image };
      this.desired.set({ spec: updated, running });
      if (container !== null && container.labels[AGENT_LABELS.specHash] === specHash(updated)) {
        return unchanged(container.id);
      }
      // Pull before stopping the old container, so that a failed pull leaves it running.
      await this.ensureImage(updated.image);
      if (container !== null) await this.removeContainer(container, payload.graceSeconds);
      return this.createAndStart(updated, running);
    });
  }

  probe(proxyId: string, withStats: boolean): Promise<OperationOutcome> {
    return this.locks.run(proxyId, async () => {
      const container = await this.find(proxyId);
      const spec = container === null ? null : specFromLabels(container.labels);
      if (container === null || spec === null) throw notFound(proxyId);
      return {
        containerId: container.id,
        changed: false,
        probe: await this.admin.probe(spec.adminPort, withStats),
      };
    });
  }

  /** Recreates a desired proxy whose container is gone; used by reconciliation. */
  recreate(proxyId: string): Promise<boolean> {
    return this.locks.run(proxyId, async () => {
      const known = this.desired.get(proxyId);
      if (known === undefined || (await this.find(proxyId)) !== null) return false;
      await this.ensure(known.spec, known.running, null);
      return true;
    });
  }

  /** The tenant of a proxy the agent knows. */
  tenantOf(proxyId: string): string | null {
    return this.desired.get(proxyId)?.spec.tenantId ?? null;
  }

  /** Whether a container that exited was stopped by the agent (recently), not crashed. */
  wasStoppedByAgent(containerId: string): boolean {
    const at = this.stoppedByAgent.get(containerId);
    return at !== undefined && this.clock.now().getTime() - at <= STOP_MEMORY_MS;
  }

  /** The container of one proxy on this node, found by its labels. */
  async find(proxyId: string): Promise<ContainerSummary | null> {
    const containers = await this.engine.listContainers([
      ...managedByNodeFilter(this.placement.nodeId),
      `${AGENT_LABELS.proxyId}=${proxyId}`,
    ]);
    return containers[0] ?? null;
  }

  /** Brings the proxy's container (`existing`, as just listed) to `spec`, running when `start`. */
  private async ensure(
    spec: ProxyContainerSpec,
    start: boolean,
    existing: ContainerSummary | null,
  ): Promise<OperationOutcome> {
    if (existing !== null && existing.labels[AGENT_LABELS.specHash] === specHash(spec)) {
      return start ? this.bringUp(existing) : unchanged(existing.id);
    }
    await this.ensureImage(spec.image);
    if (existing !== null) {
      this.logger.info(
        { proxyId: spec.proxyId, container: existing.name },
        'the spec changed: replacing the container',
      );
      await this.removeContainer(existing, DEFAULT_STOP_GRACE_SECONDS);
    }
    return this.createAndStart(spec, start);
  }

  private async createAndStart(spec: ProxyContainerSpec, start: boolean): Promise<OperationOutcome> {
    const name = containerNameOf(spec);
    const holder = await this.engine.inspectContainer(name);
    if (holder !== null) {
      const owner = holder.labels[AGENT_LABELS.proxyId];
      throw new CommandFailure(
        'conflict',
        owner === undefined
          ? `container name ${name} is taken by a container the agent does not manage (${holder.id.slice(0, 12)})`
          : `container name ${name} is taken by proxy ${owner}`,
        holder.id,
      );
    }
    const id = await this.engine.createContainer(containerDefinition(this.placement, spec));
    this.logger.info({ proxyId: spec.proxyId, container: name, containerId: id }, 'created the container');
    if (start) await this.engine.startContainer(id);
    return changed(id);
  }

  /** Starts a stopped container and resumes a paused one. */
  private async bringUp(container: ContainerSummary): Promise<OperationOutcome> {
    if (container.state === 'paused') await this.engine.unpauseContainer(container.id);
    else if (isUp(container.state)) return unchanged(container.id);
    else await this.engine.startContainer(container.id);
    return changed(container.id);
  }

  private async stopContainer(containerId: string, graceSeconds: number): Promise<void> {
    this.rememberStop(containerId);
    await this.engine.stopContainer(containerId, graceSeconds);
  }

  private rememberStop(containerId: string): void {
    const now = this.clock.now().getTime();
    for (const [id, at] of this.stoppedByAgent) {
      if (now - at > STOP_MEMORY_MS) this.stoppedByAgent.delete(id);
    }
    this.stoppedByAgent.set(containerId, now);
  }

  private async removeContainer(container: ContainerSummary, graceSeconds: number): Promise<void> {
    // A graceful stop first: Envoy drains its listeners on SIGTERM before the kill.
    if (isUp(container.state)) await this.stopContainer(container.id, graceSeconds);
    await this.engine.removeContainer(container.id);
    this.logger.info({ container: container.name, containerId: container.id }, 'removed the container');
  }

  private async ensureImage(image: string): Promise<void> {
    if (await this.engine.hasImage(image)) return;
    this.logger.info({ image }, 'pulling the image');
    let lastLog = 0;
    try {
      await this.engine.pullImage(image, (status) => {
        const now = this.clock.now().getTime();
        if (now - lastLog < PULL_PROGRESS_LOG_INTERVAL_MS) return;
        lastLog = now;
        this.logger.info({ image, progress: status }, 'pulling the image');
      });
    } catch (error) {
      if (error instanceof EngineError && error.kind === 'unavailable') throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new CommandFailure(
        'image_pull_failed',
        `image ${image} is not on this node and could not be pulled (is its registry reachable from the node, and does the image exist?): ${reason}`,
      );
    }
    this.logger.info({ image }, 'pulled the image');
  }
}

function changed(containerId: string | null): OperationOutcome {
  return { containerId, changed: true, probe: null };
}

function unchanged(containerId: string | null): OperationOutcome {
  return { containerId, changed: false, probe: null };
}

function notFound(proxyId: string): CommandFailure {
  return new CommandFailure('container_not_found', `no container of proxy ${proxyId} on this node`);
}
