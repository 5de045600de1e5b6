import { randomUUID } from 'node:crypto';
import { createEvent, type DomainEvent, type EventPayloads, type EventType } from '@envoy-fleet/domain';
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
 *
 * Events wait for the end of the event loop turn that produced them and go out together, in order: the
 * NATS client then writes a batch to its socket at once rather than one write per event, which is what
 * a fleet-wide change costs otherwise (every proxy ACKs within the same few milliseconds).
 */
export class ProxyEvents implements XdsObserver {
  private readonly pending: DomainEvent<ProxyEventType>[] = [];
  private flushScheduled = false;

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
    this.pending.push(
      createEvent(type, {
        id: randomUUID(),
        tenantId: proxy.tenantId ?? null,
        aggregateId: proxy.nodeId,
        payload,
      }),
    );
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    for (const event of this.pending.splice(0)) {
      this.bus.publish(event).catch((error: unknown) => {
        this.logger.warn(
          { err: error, eventType: event.type satisfies EventType, nodeId: event.aggregateId },
          `cannot publish ${event.type}`,
        );
      });
    }
  }
}
