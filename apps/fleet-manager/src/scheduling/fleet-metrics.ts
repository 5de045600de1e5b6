import { Counter, Gauge, type Registry } from 'prom-client';

/** One count of the fleet as stored, read when Prometheus scrapes. */
export interface FleetCounts {
  readonly proxies: readonly {
    readonly tenant: string;
    readonly cluster: string;
    readonly status: string;
    readonly count: number;
  }[];
  readonly nodes: readonly { readonly status: string; readonly count: number }[];
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
