import { type XdsResourceType } from '@envoy-fleet/domain';
import { Counter, Histogram, type Registry } from 'prom-client';

/**
 * Snapshot and delivery metrics of fleet-manager (issue 6), in the app's registry: how long a build takes
 * and how large the snapshots it publishes are, and the ACKs and NACKs proxies answer, by resource type
 * (the NACK ratio is `nacks / (acks + nacks)` over a window).
 */
export class DeliveryMetrics {
  private readonly buildDuration: Histogram<'scope'>;
  private readonly snapshotBytes: Histogram;
  private readonly responses: Counter<'type' | 'result'>;

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
