import { randomUUID } from 'node:crypto';
import { createEvent, type EventPayloads, type EventType } from '@envoy-fleet/domain';
import type { EventPublisher } from '@envoy-fleet/messaging';
import type { Logger } from '@envoy-fleet/telemetry';
import type { NackDetail } from '../protocol/snapshot-view';
import type { ProxyInfo, XdsObserver } from '../transport/xds-observer';

type ProxyEventType = 'proxy.connected' | 'proxy.disconnected' | 'proxy.ack' | 'proxy.nack';

/**
 * Publishes what proxies do on their streams as domain events; fleet-manager turns them into proxy
 * status, config history and rollout decisions. Per type, an ACK means SYNCED at its version and a NACK
 * means NACKED; a type whose latest version has no ACK is STALE (CSDS serves the live view).
 * Publishing never blocks a stream: a failure is logged and the stream goes on.
 */
export class ProxyEvents implements XdsObserver {
  constructor(
    private readonly bus: EventPublisher,
    private readonly replicaId: string,
    private readonly logger: Logger,
  ) {}

  streamOpened(): void {}

  streamClosed(): void {}

  proxyConnected(proxy: ProxyInfo): void {
    this.publish(proxy, 'proxy.connected', { nodeId: proxy.nodeId, xdsReplica: this.replicaId });
  }

  proxyDisconnected(proxy: ProxyInfo): void {
    this.publish(proxy, 'proxy.disconnected', { nodeId: proxy.nodeId, xdsReplica: this.replicaId });
  }

  responseSent(): void {}

  ackReceived(proxy: ProxyInfo, typeUrl: string, version: string, nonce: string): void {
    this.publish(proxy, 'proxy.ack', { nodeId: proxy.nodeId, typeUrl, version, nonce });
  }

  nackReceived(proxy: ProxyInfo, typeUrl: string, detail: NackDetail): void {
    this.publish(proxy, 'proxy.nack', {
      nodeId: proxy.nodeId,
      typeUrl,
      // The version that was rejected: what config history and rollouts need to know about.
      version: detail.rejectedVersion,
      nonce: detail.nonce,
      errorDetail: detail.errorMessage,
    });
  }

  private publish<T extends ProxyEventType>(proxy: ProxyInfo, type: T, payload: EventPayloads[T]): void {
    const event = createEvent(type, {
      id: randomUUID(),
      tenantId: proxy.tenantId ?? null,
      aggregateId: proxy.nodeId,
      payload,
    });
    this.bus.publish(event).catch((error: unknown) => {
      this.logger.warn(
        { err: error, eventType: type satisfies EventType, nodeId: proxy.nodeId },
        `cannot publish ${type}`,
      );
    });
  }
}
