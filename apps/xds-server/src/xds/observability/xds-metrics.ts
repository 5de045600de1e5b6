import { messageTypeOf } from '@envoy-fleet/xds';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { NackDetail } from '../protocol/snapshot-view';
import type { ProxyInfo, SentResponse, XdsObserver } from '../transport/xds-observer';

interface TypeMetrics {
  readonly pushes: Counter.Internal;
  readonly pushSize: Histogram.Internal<'type'>;
  readonly ackLatency: Histogram.Internal<'type'>;
  readonly acks: Counter.Internal;
  readonly nacks: Counter.Internal;
}

/** Prometheus metrics of the xDS server [REQ-OBS-MET-002..005], in the app's registry. */
export class XdsMetrics implements XdsObserver {
  private readonly streams: Gauge;
  private readonly proxies: Gauge;
  private readonly pushes: Counter<'type'>;
  private readonly pushSize: Histogram<'type'>;
  private readonly ackLatency: Histogram<'type'>;
  private readonly acks: Counter<'type'>;
  private readonly nacks: Counter<'type'>;
  readonly refusedStreams: Counter<'reason'>;
  private readonly types = new Map<string, TypeMetrics>();

  constructor(registry: Registry) {
    const registers = [registry];
    this.streams = new Gauge({ name: 'xds_streams', help: 'Open xDS streams (admitted or not)', registers });
    this.proxies = new Gauge({
      name: 'xds_connected_proxies',
      help: 'xDS streams of admitted proxies',
      registers,
    });
    this.pushes = new Counter({
      name: 'xds_pushes_total',
      help: 'Discovery responses written, by resource type',
      labelNames: ['type'],
      registers,
    });
    this.pushSize = new Histogram({
      name: 'xds_push_size_bytes',
      help: 'Size of each discovery response written, by resource type',
      labelNames: ['type'],
      buckets: [256, 1_024, 4_096, 16_384, 65_536, 262_144, 1_048_576, 4_194_304],
      registers,
    });
    this.ackLatency = new Histogram({
      name: 'xds_push_ack_latency_seconds',
      help: 'Time from taking a response for writing to the ACK or NACK that answers it (config convergence)',
      labelNames: ['type'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.acks = new Counter({
      name: 'xds_acks_total',
      help: 'ACKs received, by type',
      labelNames: ['type'],
      registers,
    });
    this.nacks = new Counter({
      name: 'xds_nacks_total',
      help: 'NACKs received, by type',
      labelNames: ['type'],
      registers,
    });
    this.refusedStreams = new Counter({
      name: 'xds_streams_refused_total',
      help: 'Streams refused before serving, by reason (stream_limit, permission_denied, invalid_argument, unavailable)',
      labelNames: ['reason'],
      registers,
    });
  }

  streamOpened(): void {
    this.streams.inc();
  }

  streamClosed(): void {
    this.streams.dec();
  }

  proxyConnected(): void {
    this.proxies.inc();
  }

  proxyDisconnected(): void {
    this.proxies.dec();
  }

  responseSent(_proxy: ProxyInfo, response: SentResponse): void {
    const byType = this.byType(response.typeUrl);
    byType.pushes.inc();
    byType.pushSize.observe(response.bytes);
  }

  ackReceived(_proxy: ProxyInfo, typeUrl: string, _version: string, _nonce: string, latencyMs: number): void {
    const byType = this.byType(typeUrl);
    byType.acks.inc();
    byType.ackLatency.observe(latencyMs / 1_000);
  }

  nackReceived(_proxy: ProxyInfo, typeUrl: string, _detail: NackDetail, latencyMs: number): void {
    const byType = this.byType(typeUrl);
    byType.nacks.inc();
    byType.ackLatency.observe(latencyMs / 1_000);
  }

  /** The metrics of one type, label lookups done once (every response and ACK records some). */
  private byType(typeUrl: string): TypeMetrics {
    let metrics = this.types.get(typeUrl);
    if (metrics === undefined) {
      const type = messageTypeOf(typeUrl);
      metrics = {
        pushes: this.pushes.labels(type),
        pushSize: this.pushSize.labels(type),
        ackLatency: this.ackLatency.labels(type),
        acks: this.acks.labels(type),
        nacks: this.nacks.labels(type),
      };
      this.types.set(typeUrl, metrics);
    }
    return metrics;
  }
}
