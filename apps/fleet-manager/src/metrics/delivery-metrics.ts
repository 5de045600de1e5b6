import { type XdsResourceType } from '@envoy-fleet/domain';
import { Counter, Histogram, type Registry } from 'prom-client';

/** Serving keys whose announcement time is kept; a proxy ACKs a snapshot long before this many newer ones. */
const ANNOUNCED_KEYS = 100_000;

/**
 * Snapshot and delivery metrics of fleet-manager (issue 6), in the app's registry: how long a build takes
 * and how large the snapshots it publishes are, and the ACKs and NACKs proxies answer, by resource type
 * (the NACK ratio is `nacks / (acks + nacks)` over a window).
 */
export class DeliveryMetrics {
  private readonly buildDuration: Histogram<'scope'>;
  private readonly snapshotBytes: Histogram;
  private readonly responses: Counter<'type' | 'result'>;
  private readonly pushDuration: Histogram<'type'>;
  /** When each serving key was last announced (`snapshot.updated`), oldest first. */
  private readonly announced = new Map<string, number>();

  constructor(registry: Registry) {
    const registers = [registry];
    this.buildDuration = new Histogram({
      name: 'envoy_fleet_snapshot_build_duration_seconds',
      help: 'Time to resolve, translate, check and publish the snapshots of one tenant ("tenant") or of every tenant ("all")',
      labelNames: ['scope'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.snapshotBytes = new Histogram({
      name: 'envoy_fleet_snapshot_size_bytes',
      help: 'Bytes of each published snapshot: its manifest and every resource it names',
      buckets: [1_024, 4_096, 16_384, 65_536, 262_144, 1_048_576, 4_194_304, 16_777_216],
      registers,
    });
    this.responses = new Counter({
      name: 'envoy_fleet_xds_responses_total',
      help: 'ACKs and NACKs recorded from proxies, by resource type and result (ack, nack)',
      labelNames: ['type', 'result'],
      registers,
    });
    this.pushDuration = new Histogram({
      name: 'envoy_fleet_config_push_duration_seconds',
      help: 'From the announcement of the snapshot a proxy is pointed at to its ACK of that snapshot, by resource type',
      labelNames: ['type'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
  }

  /** Remembers when serving keys were announced, forgetting the oldest beyond `ANNOUNCED_KEYS`. */
  snapshotsAnnounced(servingKeys: readonly string[], at: Date): void {
    for (const servingKey of servingKeys) {
      this.announced.delete(servingKey);
      this.announced.set(servingKey, at.getTime());
    }
    for (const oldest of this.announced.keys()) {
      if (this.announced.size <= ANNOUNCED_KEYS) break;
      this.announced.delete(oldest);
    }
  }

  /** An ACK of the version the proxy's snapshot (`servingKey`) holds: observed when its announcement was heard. */
  snapshotAcked(resourceType: XdsResourceType, servingKey: string, at: Date): void {
    const announcedAt = this.announced.get(servingKey);
    if (announcedAt === undefined || at.getTime() < announcedAt) return;
    this.pushDuration.observe({ type: resourceType }, (at.getTime() - announcedAt) / 1000);
  }

  /** Starts timing a build; the returned function ends it. */
  buildStarted(scope: 'tenant' | 'all'): () => void {
    const end = this.buildDuration.startTimer({ scope });
    return () => void end();
  }

  snapshotPublished(bytes: number): void {
    this.snapshotBytes.observe(bytes);
  }

  responseRecorded(resourceType: XdsResourceType, result: 'ack' | 'nack'): void {
    this.responses.inc({ type: resourceType, result });
  }
}
