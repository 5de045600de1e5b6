import { randomUUID } from 'node:crypto';
import { createEvent } from '@envoy-fleet/domain';
import { type AgentCommand, type EventBus, type Subscription } from '@envoy-fleet/messaging';

/**
 * Plays the node agents of some VMs on the real bus: receives each VM's commands from its durable
 * stream, answers each with `agent.command.completed`, and sends heartbeats for the VMs still alive.
 */
export class FleetAgents {
  readonly commands = new Map<string, AgentCommand[]>();
  private readonly alive = new Set<string>();
  private readonly tenants = new Map<string, string>();
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly bus: EventBus,
    heartbeatEveryMs: number,
  ) {
    this.timer = setInterval(() => void this.heartbeat(), heartbeatEveryMs);
  }

  /** Starts playing a VM's agent: it heartbeats and answers its commands. */
  async join(vmId: string, tenantId: string): Promise<void> {
    this.tenants.set(vmId, tenantId);
    this.commands.set(vmId, []);
    await this.revive(vmId);
  }

  /** The VM goes silent: no heartbeat, and its commands wait in its stream. */
  async lose(vmId: string): Promise<void> {
    this.alive.delete(vmId);
    await this.subscriptions.get(vmId)?.stop();
    this.subscriptions.delete(vmId);
  }

  /** The agent comes back: it heartbeats and resumes its command stream where it stood. */
  async revive(vmId: string): Promise<void> {
    const tenantId = this.tenants.get(vmId) as string;
    this.alive.add(vmId);
    await this.heartbeatOf(vmId);
    this.subscriptions.set(
      vmId,
      await this.bus.consumeCommands(vmId, async (command) => {
        this.commands.get(vmId)?.push(command);
        await this.complete(vmId, tenantId, command);
      }),
    );
  }

  kindsSentTo(vmId: string): string[] {
    return (this.commands.get(vmId) ?? []).map((command) => command.kind);
  }

  async dispose(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all([...this.subscriptions.values()].map((subscription) => subscription.stop()));
  }

  private async complete(vmId: string, tenantId: string, command: AgentCommand): Promise<void> {
    const proxyId = (command.payload as { proxyId: string }).proxyId;
    const containerId = `container-${proxyId}-${command.kind === 'update-image' ? command.id : 'first'}`;
    await this.bus.publish(
      createEvent('agent.command.completed', {
        id: randomUUID(),
        tenantId,
        aggregateId: vmId,
        payload: {
          commandId: command.id,
          nodeId: vmId,
          kind: command.kind,
          proxyId,
          completedAt: new Date().toISOString(),
          ok: true,
          containerId: command.kind === 'remove' ? null : containerId,
          changed: true,
          probe: null,
        },
      }),
    );
    if (command.kind !== 'create' && command.kind !== 'update-image') return;
    // The new container starts and its admin /ready answers.
    await this.bus.publish(
      createEvent('agent.container.changed', {
        id: randomUUID(),
        tenantId,
        aggregateId: vmId,
        payload: {
          nodeId: vmId,
          proxyId,
          containerId,
          containerName: (command.payload as { groupName?: string }).groupName ?? proxyId,
          change: 'health',
          status: 'running',
          exitCode: null,
          health: 'healthy',
          observedAt: new Date().toISOString(),
        },
      }),
    );
  }

  private async heartbeat(): Promise<void> {
    await Promise.all([...this.alive].map((vmId) => this.heartbeatOf(vmId).catch(() => undefined)));
  }

  private heartbeatOf(vmId: string): Promise<void> {
    return this.bus.publish(
      createEvent('agent.heartbeat', {
        id: randomUUID(),
        tenantId: null,
        aggregateId: vmId,
        payload: {
          nodeId: vmId,
          sentAt: new Date().toISOString(),
          dockerReachable: true,
          host: { cpuMillicores: 100, memoryUsedMib: 512, memoryTotalMib: 8192, loadAverage1m: 0.1 },
          containers: [],
        },
      }),
    );
  }
}

/** Polls `probe` until it returns a value (not undefined) or `timeoutMs` passes. */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
