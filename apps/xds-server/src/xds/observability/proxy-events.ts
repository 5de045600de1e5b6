import { randomUUID } from 'node:crypto';
import {
  type BatchedProxyReport,
  createEvent,
  type EventPayloads,
  type ProxyReportType,
} from '@envoy-fleet/domain';
import type { EventPublisher } from '@envoy-fleet/messaging';
import type { Logger } from '@envoy-fleet/telemetry';
import type { NackDetail } from '../protocol/snapshot-view';
import type { ProxyInfo, SentResponse, XdsObserver } from '../transport/xds-observer';

/**
 * Reports per `proxy.reports` message: about 250 bytes each, well under NATS's 1 MiB payload limit, and
 * few enough for fleet-manager to record within its acknowledgement wait.
 */
const MAX_REPORTS_PER_BATCH = 500;
/** How long a report waits for others to share its message. */
const BATCH_DELAY_MS = 100;

/**
 * Publishes what proxies do on their streams (connected, disconnected, each response sent, ACK, NACK)
 * for fleet-manager, which turns them into proxy status, config history and rollout decisions. Per type,
 * an ACK means SYNCED at its version, a NACK means NACKED, a send not yet answered STALE (CSDS serves the
 * live view). Publishing never blocks a stream: a failure is logged and the stream goes on.
 *
 * Reports are batched per tenant into `proxy.reports` events, in order: one JetStream publish (and one
 * span) per batch of up to {@link MAX_REPORTS_PER_BATCH}, collected for {@link BATCH_DELAY_MS}. A
 * fleet-wide change otherwise costs a publish per proxy and type twice over (the send and the ACK).
 */
export class ProxyEvents implements XdsObserver {
  /** Tenant id ('' for proxies without one) → reports waiting for the next flush. */
  private readonly pending = new Map<string, BatchedProxyReport[]>();
  private timer: NodeJS.Timeout | undefined;
  private readonly publishing = new Set<Promise<void>>();

  constructor(
    private readonly bus: EventPublisher,
    private readonly replicaId: string,
    private readonly logger: Logger,
  ) {}

  streamOpened(): void {}

  streamClosed(): void {}

  proxyConnected(proxy: ProxyInfo): void {
    this.report(proxy, 'proxy.connected', { nodeId: proxy.nodeId, xdsReplica: this.replicaId });
  }

  proxyDisconnected(proxy: ProxyInfo): void {
    this.report(proxy, 'proxy.disconnected', { nodeId: proxy.nodeId, xdsReplica: this.replicaId });
  }

  responseSent(proxy: ProxyInfo, response: SentResponse): void {
    this.report(proxy, 'proxy.sent', {
      nodeId: proxy.nodeId,
      typeUrl: response.typeUrl,
      version: response.version,
      nonce: response.nonce,
    });
  }

  ackReceived(proxy: ProxyInfo, typeUrl: string, version: string, nonce: string): void {
    this.report(proxy, 'proxy.ack', { nodeId: proxy.nodeId, typeUrl, version, nonce });
  }

  nackReceived(proxy: ProxyInfo, typeUrl: string, detail: NackDetail): void {
    this.report(proxy, 'proxy.nack', {
      nodeId: proxy.nodeId,
      typeUrl,
      // The version that was rejected: what config history and rollouts need to know about.
      version: detail.rejectedVersion,
      nonce: detail.nonce,
      errorDetail: detail.errorMessage,
    });
  }

  /** Publishes what is waiting now and resolves once every publish started so far has settled. */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const [tenant, reports] of this.pending) {
      for (let start = 0; start < reports.length; start += MAX_REPORTS_PER_BATCH) {
        this.publish(tenant, reports.slice(start, start + MAX_REPORTS_PER_BATCH));
      }
    }
    this.pending.clear();
    await Promise.all(this.publishing);
  }

  private report<T extends ProxyReportType>(proxy: ProxyInfo, type: T, payload: EventPayloads[T]): void {
    const tenant = proxy.tenantId ?? '';
    let reports = this.pending.get(tenant);
    if (reports === undefined) {
      reports = [];
      this.pending.set(tenant, reports);
    }
    reports.push({
      id: randomUUID(),
      type,
      occurredAt: new Date().toISOString(),
      payload,
    } as BatchedProxyReport);
    if (reports.length >= MAX_REPORTS_PER_BATCH) {
      this.pending.delete(tenant);
      this.publish(tenant, reports);
    } else {
      this.timer ??= setTimeout(() => void this.flush(), BATCH_DELAY_MS);
    }
  }

  private publish(tenant: string, reports: BatchedProxyReport[]): void {
    const event = createEvent('proxy.reports', {
      id: randomUUID(),
      tenantId: tenant === '' ? null : tenant,
      aggregateId: this.replicaId,
      payload: { xdsReplica: this.replicaId, reports },
    });
    const published = this.bus.publish(event).catch((error: unknown) => {
      this.logger.warn(
        { err: error, eventId: event.id, reports: reports.length },
        'cannot publish proxy.reports: these sends, ACKs, NACKs and connection changes are not recorded',
      );
    });
    this.publishing.add(published);
    void published.finally(() => this.publishing.delete(published));
  }
}
