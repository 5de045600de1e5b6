import { withSystem } from '@envoy-fleet/db';
import { type MessagingLogger } from '@envoy-fleet/messaging';
import { Gauge, type Registry } from 'prom-client';
import { type DataSource } from 'typeorm';
import { type GroupScaler } from './group-scaler';

const ACTOR = 'system:fleet-manager-convergence';
const PASS_LOCK = 'fleet-manager:convergence';

export interface GroupConvergence {
  readonly tenantId: string;
  readonly groupId: string;
  /** Proxies the group still wants after the pass (no ready VM had room); null when the pass failed. */
  readonly unplaced: number | null;
}

export interface FleetConvergenceDependencies {
  /** Connects as the system role: a pass looks at the groups of every tenant. */
  readonly systemDataSource: DataSource;
  readonly scaler: GroupScaler;
  readonly registry: Registry;
  readonly logger: MessagingLogger;
}

/**
 * Brings every group whose proxies differ from its `desiredReplicas`, or whose agent commands are due
 * (never sent, or lost to a failed send), back through the group scaler: a group scaled while no VM was
 * ready or had room fills up once one is. Passes run when a VM becomes ready or changes and on the health
 * monitor's interval; one replica at a time runs one, the others skip it.
 */
export class FleetConvergence {
  constructor(private readonly deps: FleetConvergenceDependencies) {
    const { systemDataSource } = deps;
    new Gauge({
      name: 'envoy_fleet_group_missing_replicas',
      help: 'Desired replicas of a proxy group (cluster) that no proxy is placed for: no ready VM has room',
      labelNames: ['tenant', 'cluster'],
      registers: [deps.registry],
      async collect() {
        const rows = await missingReplicas(systemDataSource);
        this.reset();
        for (const row of rows) this.set({ tenant: row.tenant, cluster: row.cluster }, row.missing);
      },
    });
  }

  /** One pass; null when another replica is running one. */
  execute(): Promise<GroupConvergence[] | null> {
    return withSystem(this.deps.systemDataSource, { actor: ACTOR }, async (manager) => {
      const [lock]: { locked: boolean }[] = await manager.query(
        'SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS locked',
        [PASS_LOCK],
      );
      if (lock?.locked !== true) return null;
      const groups: { tenant_id: string; id: string }[] = await manager.query(
        `SELECT g.tenant_id, g.id FROM proxy_groups g
         WHERE g.desired_replicas <> (SELECT count(*) FROM proxies p WHERE p.group_id = g.id AND p.desired_state <> 'removed')
            OR EXISTS (SELECT 1 FROM proxies p WHERE p.group_id = g.id AND p.command_due_at <= now())
         ORDER BY g.created_at`,
      );
      const results: GroupConvergence[] = [];
      for (const group of groups) {
        const target = { tenantId: group.tenant_id, groupId: group.id };
        try {
          const report = await this.deps.scaler.execute(target);
          results.push({ ...target, unplaced: report.unplaced });
        } catch (error) {
          this.deps.logger.error(
            { err: error, ...target },
            'convergence of a group failed; retried next pass',
          );
          results.push({ ...target, unplaced: null });
        }
      }
      return results;
    });
  }
}

function missingReplicas(
  systemDataSource: DataSource,
): Promise<{ tenant: string; cluster: string; missing: number }[]> {
  return withSystem(systemDataSource, { actor: 'system:fleet-manager-metrics' }, (manager) =>
    manager.query(
      `SELECT t.name AS tenant, g.name AS cluster,
              (g.desired_replicas - count(p.id) FILTER (WHERE p.desired_state <> 'removed'))::int AS missing
       FROM proxy_groups g JOIN tenants t ON t.id = g.tenant_id LEFT JOIN proxies p ON p.group_id = g.id
       WHERE g.desired_replicas IS NOT NULL
       GROUP BY t.name, g.name, g.desired_replicas
       HAVING g.desired_replicas > count(p.id) FILTER (WHERE p.desired_state <> 'removed')`,
    ),
  );
}
