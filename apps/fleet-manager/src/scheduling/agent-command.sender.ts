import { randomUUID } from 'node:crypto';
import { type ProxyEntity } from '@envoy-fleet/db';
import { type AgentCommandKind, type AgentCommandPayloadInputs } from '@envoy-fleet/domain';
import { type EventBus, type MessagingLogger } from '@envoy-fleet/messaging';
import { type FleetMetrics } from './fleet-metrics';
import { type FleetSettings } from './fleet-settings';
import { ordinalOf } from './proxy-naming';

/** The proxy row and its group's name: what a `create` command is built from. */
export interface ScheduledProxy {
  readonly proxy: ProxyEntity;
  readonly groupName: string;
}

/**
 * Queues node-agent commands on each VM's durable command stream. Every command states the end state
 * of one container, so sending one again is harmless (the agent protocol's idempotency).
 */
export class AgentCommandSender {
  constructor(
    private readonly deps: {
      readonly bus: EventBus;
      readonly settings: FleetSettings;
      readonly metrics: FleetMetrics;
      readonly logger: MessagingLogger;
    },
  ) {}

  /** Creates and starts the proxy's container on its VM; false when the command could not be queued. */
  create({ proxy, groupName }: ScheduledProxy): Promise<boolean> {
    const { settings } = this.deps;
    return this.send(proxy, 'create', {
      proxyId: proxy.id,
      tenantId: proxy.tenantId,
      xdsNodeId: proxy.nodeId,
      groupName,
      ordinal: ordinalOf(proxy.containerName),
      image: proxy.image,
      proxyPort: proxy.proxyPort,
      adminPort: proxy.adminPort,
      xds: settings.xds,
      resources: { cpuMillicores: proxy.cpuMillicores, memoryMib: proxy.memoryMib },
      start: true,
    });
  }

  /** Recreates the proxy's container with its (new) image; Envoy drains for the grace period first. */
  updateImage(proxy: ProxyEntity): Promise<boolean> {
    return this.send(proxy, 'update-image', {
      proxyId: proxy.id,
      image: proxy.image,
      graceSeconds: this.deps.settings.stopGraceSeconds,
    });
  }

  /** Drains the proxy: SIGTERM with the configured grace, then removal of the container. */
  async drain(proxy: ProxyEntity): Promise<boolean> {
    const graceSeconds = this.deps.settings.stopGraceSeconds;
    const stopped = await this.send(proxy, 'stop', { proxyId: proxy.id, graceSeconds });
    return (await this.send(proxy, 'remove', { proxyId: proxy.id, graceSeconds })) && stopped;
  }

  private async send<K extends AgentCommandKind>(
    proxy: ProxyEntity,
    kind: K,
    payload: AgentCommandPayloadInputs[K],
  ): Promise<boolean> {
    if (proxy.vmId === null) return false;
    const id = randomUUID();
    try {
      await this.deps.bus.sendCommand(proxy.vmId, { id, kind, payload, issuedAt: new Date().toISOString() });
      this.deps.metrics.commandSent(kind);
      return true;
    } catch (error) {
      this.deps.metrics.commandFailed(kind, 'send');
      this.deps.logger.error(
        { err: error, commandId: id, kind, vmId: proxy.vmId, nodeId: proxy.nodeId },
        'agent command not queued',
      );
      return false;
    }
  }
}
