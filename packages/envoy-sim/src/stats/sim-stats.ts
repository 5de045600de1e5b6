export type StatKind = 'counter' | 'gauge' | 'text';

/** A stat and the tags Envoy's default tag extraction would pull out of its name for Prometheus. */
interface Stat {
  readonly kind: StatKind;
  readonly name: string;
  readonly prometheusName: string;
  readonly tags: Readonly<Record<string, string>>;
  value: number | string;
  used: boolean;
}

export interface StatScope {
  /** Envoy's stat name prefix, e.g. `cluster_manager.cds.` */
  readonly prefix: string;
  /** The prefix with tagged segments removed, e.g. `cluster.` for `cluster.backend.` */
  readonly prometheusPrefix: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** Envoy replaces `:` in names that become stat segments. */
function segment(name: string): string {
  return name.replace(/:/g, '_');
}

/**
 * Scopes are immutable and the same for every simulated Envoy: each one is built once per key (every
 * update of every sim records stats in them, thousands of times per fleet-wide change).
 */
const knownScopes = new Map<string, StatScope>();

function scope(key: string, build: () => StatScope): StatScope {
  let known = knownScopes.get(key);
  if (known === undefined) {
    known = build();
    knownScopes.set(key, known);
  }
  return known;
}

export const scopes = {
  plain: (prefix: string): StatScope =>
    scope(`plain\0${prefix}`, () => ({ prefix, prometheusPrefix: prefix, tags: {} })),
  /** `cluster.<name>.`: Envoy tags it `envoy_cluster_name`. */
  cluster: (name: string): StatScope =>
    scope(`cluster\0${name}`, () => ({
      prefix: `cluster.${segment(name)}.`,
      prometheusPrefix: 'cluster.',
      tags: { envoy_cluster_name: segment(name) },
    })),
  /** `http.<stat_prefix>.rds.<route_config_name>.`: tagged with the connection manager prefix and route. */
  rds: (statPrefix: string, routeName: string): StatScope =>
    scope(`rds\0${statPrefix}\0${routeName}`, () => ({
      prefix: `http.${segment(statPrefix)}.rds.${segment(routeName)}.`,
      prometheusPrefix: 'http.rds.',
      tags: {
        envoy_http_conn_manager_prefix: segment(statPrefix),
        envoy_rds_route_config: segment(routeName),
      },
    })),
  sds: (secretName: string): StatScope =>
    scope(`sds\0${secretName}`, () => ({
      prefix: `sds.${segment(secretName)}.`,
      prometheusPrefix: `sds.${segment(secretName)}.`,
      tags: {},
    })),
};

/** Stat names repeat across thousands of simulated Envoys in one process: keep one copy of each. */
const internedNames = new Map<string, string>();

function intern(name: string): string {
  const known = internedNames.get(name);
  if (known !== undefined) return known;
  internedNames.set(name, name);
  return name;
}

/** Counters, gauges and text readouts of one simulated Envoy, named as Envoy names them. */
export class SimStats {
  private readonly stats = new Map<string, Stat>();
  /** The same stats by scope prefix and name: found without building the full name. */
  private readonly byScope = new Map<string, Map<string, Stat>>();

  private stat(kind: StatKind, scope: StatScope, name: string): Stat {
    let scoped = this.byScope.get(scope.prefix);
    if (scoped === undefined) {
      scoped = new Map();
      this.byScope.set(scope.prefix, scoped);
    }
    let stat = scoped.get(name);
    if (stat === undefined) {
      const fullName = intern(scope.prefix + name);
      stat = this.stats.get(fullName) ?? {
        kind,
        name: fullName,
        prometheusName: intern(scope.prometheusPrefix + name),
        tags: scope.tags,
        value: kind === 'text' ? '' : 0,
        used: false,
      };
      this.stats.set(fullName, stat);
      scoped.set(name, stat);
    }
    return stat;
  }

  /** Creates the stat at its zero value, as Envoy does when a subscription starts. */
  declare(kind: StatKind, scope: StatScope, name: string): void {
    this.stat(kind, scope, name);
  }

  inc(scope: StatScope, name: string, by = 1): void {
    const stat = this.stat('counter', scope, name);
    stat.value = Number(stat.value) + by;
    stat.used = true;
  }

  set(scope: StatScope, name: string, value: number): void {
    const stat = this.stat('gauge', scope, name);
    stat.value = value;
    stat.used = true;
  }

  text(scope: StatScope, name: string, value: string): void {
    const stat = this.stat('text', scope, name);
    stat.value = value;
    stat.used = true;
  }

  value(name: string): number | string | undefined {
    return this.stats.get(name)?.value;
  }

  all(): readonly Readonly<Stat>[] {
    return [...this.stats.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
}

export interface StatsQuery {
  readonly filter?: RegExp;
  readonly usedOnly?: boolean;
}

function selected(stats: SimStats, query: StatsQuery): readonly Readonly<Stat>[] {
  return stats
    .all()
    .filter((stat) => (!query.usedOnly || stat.used) && (!query.filter || query.filter.test(stat.name)));
}

/** `/stats`: `name: value` lines sorted by name; text readouts quoted. */
export function renderStatsText(stats: SimStats, query: StatsQuery = {}): string {
  return selected(stats, query)
    .map(
      (stat) => `${stat.name}: ${stat.kind === 'text' ? JSON.stringify(stat.value) : String(stat.value)}\n`,
    )
    .join('');
}

/** `/stats?format=json`. */
export function renderStatsJson(stats: SimStats, query: StatsQuery = {}): string {
  return JSON.stringify({
    stats: selected(stats, query).map((stat) => ({ name: stat.name, value: stat.value })),
  });
}

function prometheusName(name: string): string {
  return `envoy_${name.replace(/[^a-zA-Z0-9_]/g, '_')}`;
}

function labelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** `/stats/prometheus`: counters and gauges (text readouts are left out, as Envoy does by default). */
export function renderStatsPrometheus(stats: SimStats, query: StatsQuery = {}): string {
  const families = new Map<string, { kind: StatKind; samples: string[] }>();
  for (const stat of selected(stats, query)) {
    if (stat.kind === 'text') continue;
    const name = prometheusName(stat.prometheusName);
    const family = families.get(name) ?? { kind: stat.kind, samples: [] };
    const labels = Object.entries(stat.tags)
      .map(([key, value]) => `${key}="${labelValue(value)}"`)
      .join(',');
    family.samples.push(`${name}${labels ? `{${labels}}` : ''} ${String(stat.value)}`);
    families.set(name, family);
  }
  return [...families.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, family]) => `# TYPE ${name} ${family.kind}\n${family.samples.join('\n')}\n`)
    .join('');
}
