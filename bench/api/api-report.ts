/**
 * A read or a write of the api's resources, or the baseline: a route that touches neither credentials
 * nor the database, whose figures are the most the HTTP stack itself allows on this machine.
 */
export type ScenarioKind = 'read' | 'write' | 'baseline';

/** What one autocannon run against one route at one concurrency measured. */
export interface ScenarioResult {
  readonly scenario: string;
  readonly kind: ScenarioKind;
  readonly connections: number;
  readonly durationS: number;
  readonly ok: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly throughputRps: number;
  readonly latencyMs: {
    readonly p50: number;
    readonly p90: number;
    readonly p99: number;
    readonly max: number;
  };
  /**
   * CPU time per successful request of the api process and of the PostgreSQL backends serving it
   * (user + system, from /proc): unlike latency, barely changed by other load on the machine.
   */
  readonly cpuMsPerRequest: { readonly api: number; readonly postgres: number };
}

/** CPU milliseconds the api process and its PostgreSQL backends used during a run. */
export interface RunCpu {
  readonly apiMs: number;
  readonly postgresMs: number;
}

/** The subset of an autocannon result this benchmark reads. */
export interface AutocannonOutcome {
  readonly duration: number;
  readonly '2xx': number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly latency: {
    readonly p50: number;
    readonly p90: number;
    readonly p99: number;
    readonly max: number;
  };
}

export function scenarioResult(
  scenario: { readonly name: string; readonly kind: ScenarioKind },
  connections: number,
  outcome: AutocannonOutcome,
  cpu: RunCpu,
): ScenarioResult {
  const round = (value: number) => Math.round(value * 10) / 10;
  const perRequest = (ms: number) =>
    outcome['2xx'] === 0 ? 0 : Math.round((ms / outcome['2xx']) * 100) / 100;
  return {
    scenario: scenario.name,
    kind: scenario.kind,
    connections,
    durationS: round(outcome.duration),
    ok: outcome['2xx'],
    non2xx: outcome.non2xx,
    errors: outcome.errors,
    timeouts: outcome.timeouts,
    throughputRps: round(outcome['2xx'] / outcome.duration),
    latencyMs: {
      p50: round(outcome.latency.p50),
      p90: round(outcome.latency.p90),
      p99: round(outcome.latency.p99),
      max: round(outcome.latency.max),
    },
    cpuMsPerRequest: { api: perRequest(cpu.apiMs), postgres: perRequest(cpu.postgresMs) },
  };
}

/** A fixed-width table of the results, one row per scenario and concurrency. */
export function table(results: readonly ScenarioResult[]): string {
  const header = [
    'scenario',
    'conns',
    'req/s',
    'p50 ms',
    'p90 ms',
    'p99 ms',
    'max ms',
    '2xx',
    'other',
    'api cpu ms/req',
    'pg cpu ms/req',
  ];
  const rows = results.map((result) => [
    result.scenario,
    String(result.connections),
    result.throughputRps.toFixed(0),
    result.latencyMs.p50.toFixed(1),
    result.latencyMs.p90.toFixed(1),
    result.latencyMs.p99.toFixed(1),
    result.latencyMs.max.toFixed(1),
    String(result.ok),
    String(result.non2xx + result.errors + result.timeouts),
    result.cpuMsPerRequest.api.toFixed(2),
    result.cpuMsPerRequest.postgres.toFixed(2),
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0),
      )
      .join('  ');
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

/** Whether reads stayed under the latency goal at the goal's concurrency; no verdict without such a run. */
export function readVerdict(
  results: readonly ScenarioResult[],
  goal: { readonly connections: number; readonly p99Ms: number },
): string | undefined {
  const reads = results.filter((result) => result.kind === 'read' && result.connections === goal.connections);
  if (reads.length === 0) return undefined;
  const worst = reads.reduce((slowest, result) =>
    result.latencyMs.p99 > slowest.latencyMs.p99 ? result : slowest,
  );
  const met = worst.latencyMs.p99 < goal.p99Ms;
  return `goal: reads p99 < ${goal.p99Ms} ms at ${goal.connections} connections: ${met ? 'met' : 'missed'} (slowest: ${worst.scenario}, p99 ${worst.latencyMs.p99} ms)`;
}
