import { withSystem } from '@envoy-fleet/db';
import { XDS_RESOURCE_TYPES } from '@envoy-fleet/domain';
import { Counter, Gauge, type Registry } from 'prom-client';
import { type DataSource } from 'typeorm';

/** One count of the fleet as stored, read when Prometheus scrapes. */
export interface FleetCounts {
  readonly proxies: readonly {
    readonly tenant: string;
    readonly cluster: string;
    readonly status: string;
    readonly count: number;
    /** Of `count`, the proxies holding a lasting NACK of at least one resource type. */
    readonly nacked: number;
  }[];
  readonly nodes: readonly { readonly status: string; readonly count: number }[];
  readonly rollouts: readonly { readonly state: string; readonly count: number }[];
  /** Proxies the drift check reports drifted [NFR-OB-004]. */
  readonly drifted: number;
}

const HOLDS_A_NACK = `'NACKED' IN (${XDS_RESOURCE_TYPES.map((type) => `p.${type}_sync_status`).join(', ')})`;

/** The fleet as stored, in one transaction of the system role. */
export function countFleet(systemDataSource: DataSource): Promise<FleetCounts> {
  return withSystem(systemDataSource, { actor: 'system:fleet-manager-metrics' }, async (manager) => {
    const proxies = await manager.query<(FleetCounts['proxies'][number] & { drifted: number })[]>(
      `SELECT t.name AS tenant, g.name AS cluster, p.status, count(*)::int AS count,
         count(*) FILTER (WHERE ${HOLDS_A_NACK})::int AS nacked,
         count(*) FILTER (WHERE p.drifted_at IS NOT NULL)::int AS drifted
       FROM proxies p JOIN proxy_groups g ON g.id = p.group_id JOIN tenants t ON t.id = p.tenant_id
       GROUP BY t.name, g.name, p.status`,
    );
    return {
      proxies: proxies.map(({ tenant, cluster, status, count, nacked }) => ({
        tenant,
        cluster,
        status,
        count,
        nacked,
      })),
      nodes: await manager.query(`SELECT status, count(*)::int AS count FROM nodes GROUP BY status`),
      rollouts: await manager.query(`SELECT state, count(*)::int AS count FROM rollouts GROUP BY state`),
      drifted: proxies.reduce((sum, row) => sum + row.drifted, 0),
    };
  });
}

export type CommandFailureStage = 'send' | 'agent';

/** Fleet gauges (names of seed 000 10.1/10.2) and agent command counters, in the app's registry. */
export class FleetMetrics {
  private readonly commandsSent: Counter<'kind'>;
  private readonly commandsFailed: Counter<'kind' | 'stage'>;

  constructor(registry: Registry, count: () => Promise<FleetCounts>) {
    const registers = [registry];
    // Prometheus collects the gauges concurrently: they share one query per scrape.
    let inFlight: Promise<FleetCounts> | undefined;
    const counts = (): Promise<FleetCounts> =>
      (inFlight ??= count().finally(() => {
        inFlight = undefined;
      }));
    new Gauge({
      name: 'envoy_fleet_total_instances',
      help: 'Envoy proxies known to the control plane',
      registers,
      async collect() {
        this.set((await counts()).proxies.reduce((sum, row) => sum + row.count, 0));
      },
    });
    new Gauge({
      name: 'envoy_fleet_instances_by_status',
      help: 'Envoy proxies by observed container status',
      labelNames: ['status'],
      registers,
      async collect() {
        const rows = (await counts()).proxies;
        this.reset();
        for (const row of rows) this.inc({ status: row.status }, row.count);
      },
    });
    new Gauge({
      name: 'envoy_fleet_instances_by_cluster',
      help: 'Envoy proxies by tenant, proxy group (cluster) and observed container status',
      labelNames: ['tenant', 'cluster', 'status'],
      registers,
      async collect() {
        const rows = (await counts()).proxies;
        this.reset();
        for (const row of rows)
          this.set({ tenant: row.tenant, cluster: row.cluster, status: row.status }, row.count);
      },
    });
    new Gauge({
      name: 'envoy_fleet_nodes_by_status',
      help: 'VMs by status (ready, not_ready, draining, unknown)',
      labelNames: ['status'],
      registers,
      async collect() {
        const rows = (await counts()).nodes;
        this.reset();
        for (const row of rows) this.set({ status: row.status }, row.count);
      },
    });
    new Gauge({
      name: 'envoy_fleet_drifted_instances',
      help: 'Envoy proxies whose ACKed config differs from their current snapshot for longer than the drift threshold',
      registers,
      async collect() {
        this.set((await counts()).drifted);
      },
    });
    new Gauge({
      name: 'envoy_fleet_nack_ratio',
      help: 'Share of the proxies of a tenant and proxy group (cluster) holding a lasting NACK of some resource type',
      labelNames: ['tenant', 'cluster'],
      registers,
      async collect() {
        const groups = new Map<string, { tenant: string; cluster: string; count: number; nacked: number }>();
        for (const row of (await counts()).proxies) {
          const key = JSON.stringify([row.tenant, row.cluster]);
          const group = groups.get(key) ?? { tenant: row.tenant, cluster: row.cluster, count: 0, nacked: 0 };
          group.count += row.count;
          group.nacked += row.nacked;
          groups.set(key, group);
        }
        this.reset();
        for (const { tenant, cluster, count, nacked } of groups.values())
          this.set({ tenant, cluster }, nacked / count);
      },
    });
    new Gauge({
      name: 'envoy_fleet_rollouts_by_state',
      help: 'Rollouts by state (pending, running, paused, completed, aborted, rolled_back)',
      labelNames: ['state'],
      registers,
      async collect() {
        const rows = (await counts()).rollouts;
        this.reset();
        for (const row of rows) this.set({ state: row.state }, row.count);
      },
    });
    this.commandsSent = new Counter({
      name: 'envoy_fleet_agent_commands_sent_total',
      help: 'Commands queued for node agents, by kind',
      labelNames: ['kind'],
      registers,
    });
    this.commandsFailed = new Counter({
      name: 'envoy_fleet_agent_commands_failed_total',
      help: 'Commands that could not be queued (stage "send") or that the agent reported as failed ("agent"), by kind',
      labelNames: ['kind', 'stage'],
      registers,
    });
  }

  commandSent(kind: string): void {
    this.commandsSent.inc({ kind });
  }

  commandFailed(kind: string, stage: CommandFailureStage): void {
    this.commandsFailed.inc({ kind, stage });
  }
}
