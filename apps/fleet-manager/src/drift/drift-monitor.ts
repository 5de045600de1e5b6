import { randomUUID } from 'node:crypto';
import { appendEvents, ProxyEntity, withSystem } from '@envoy-fleet/db';
import { createEvent, type DomainEvent } from '@envoy-fleet/domain';
import { type MessagingLogger } from '@envoy-fleet/messaging';
import { type SnapshotStore } from '@envoy-fleet/snapshot-store';
import { type DataSource } from 'typeorm';
import { type DriftedType, driftedTypes, nextDrift, type VersionsByType } from './drift';
import { expectedVersions } from './expected-versions';

const ACTOR = 'system:fleet-manager-drift';
/** The check's transaction-scoped advisory lock: one replica checks at a time, the others skip. */
const DRIFT_LOCK = 'fleet-manager:drift-check';

export interface DriftMonitorDependencies {
  readonly systemDataSource: DataSource;
  readonly store: SnapshotStore;
  /** A difference that lasts longer than this is drift. */
  readonly thresholdMs: number;
  readonly logger: MessagingLogger;
}

export interface DriftCheck {
  /** Proxies reported drifted by this check. */
  readonly drifted: readonly string[];
  /** Drifted proxies that converged. */
  readonly converged: readonly string[];
}

interface ProxyAcks {
  id: string;
  tenant_id: string;
  node_id: string;
  drift: DriftedType[] | null;
  drift_observed_at: Date | null;
  drifted_at: Date | null;
  acked: VersionsByType;
}

/** Each proxy with its recorded drift and the last version it ACKed of each type. */
const PROXY_ACKS = `
  SELECT p.id, p.tenant_id, p.node_id, p.drift, p.drift_observed_at, p.drifted_at,
    COALESCE((SELECT jsonb_object_agg(a.resource_type, a.xds_version) FROM (
      SELECT DISTINCT ON (h.resource_type) h.resource_type, h.xds_version FROM config_history h
      WHERE h.proxy_id = p.id AND h.status = 'acked' ORDER BY h.resource_type, h.responded_at DESC
    ) a), '{}'::jsonb) AS acked
  FROM proxies p`;

/**
 * Drift detection [NFR-OB-004]: compares each proxy's last ACKed version of each type with the version
 * of its current snapshot in Redis. A difference that outlasts the threshold marks the proxy drifted
 * (`proxies.drifted_at`, shown by the api's status) and is announced as `proxy.drift.changed`; so is its
 * convergence. Every replica runs it on a timer; the advisory lock lets one of them check at a time.
 * `envoy_fleet_drifted_instances` is one of the fleet gauges (`FleetMetrics`).
 */
export class DriftMonitor {
  constructor(private readonly deps: DriftMonitorDependencies) {}

  /** One check; undefined when another replica holds the check's lock. */
  async execute(): Promise<DriftCheck | undefined> {
    const check = await this.check();
    if (check !== undefined && check.drifted.length + check.converged.length > 0) {
      this.deps.logger.warn(
        { drifted: check.drifted, converged: check.converged },
        'proxies drifted from or converged to their snapshots',
      );
    }
    return check;
  }

  private check(): Promise<DriftCheck | undefined> {
    return withSystem(this.deps.systemDataSource, { actor: ACTOR }, async (manager) => {
      const [lock] = await manager.query<{ locked: boolean }[]>(
        'SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS locked',
        [DRIFT_LOCK],
      );
      if (lock?.locked !== true) return undefined;
      const proxies = await manager.query<ProxyAcks[]>(PROXY_ACKS);
      const expected = await expectedVersions(
        this.deps.store,
        proxies.map((proxy) => proxy.node_id),
      );
      const now = new Date();
      const events: DomainEvent[] = [];
      const drifted: string[] = [];
      const converged: string[] = [];
      for (const proxy of proxies) {
        const versions = expected.get(proxy.node_id);
        if (versions === undefined) continue;
        const step = nextDrift(
          { types: proxy.drift, observedAt: proxy.drift_observed_at, driftedAt: proxy.drifted_at },
          driftedTypes(proxy.acked, versions),
          now,
          this.deps.thresholdMs,
        );
        if (step.kind === 'unchanged') continue;
        const { next } = step;
        await manager.update(
          ProxyEntity,
          { id: proxy.id },
          { drift: next.types, driftObservedAt: next.observedAt, driftedAt: next.driftedAt },
        );
        if (!step.announce) continue;
        (next.driftedAt === null ? converged : drifted).push(proxy.node_id);
        events.push(
          createEvent('proxy.drift.changed', {
            id: randomUUID(),
            tenantId: proxy.tenant_id,
            aggregateId: proxy.id,
            payload: {
              proxyId: proxy.id,
              nodeId: proxy.node_id,
              drifted: next.driftedAt !== null,
              resourceTypes: (next.types ?? []).map((type) => type.resourceType),
            },
          }),
        );
      }
      await appendEvents(manager, events);
      return { drifted, converged };
    });
  }
}
