import { readVerdict, scenarioResult, table } from './api-report';

const outcome = (p99: number) => ({
  duration: 10,
  '2xx': 5_000,
  non2xx: 3,
  errors: 1,
  timeouts: 0,
  latency: { p50: 12.34, p90: 40, p99, max: p99 + 10 },
});

const cpu = { apiMs: 12_345, postgresMs: 4_000 };

describe('api benchmark report', () => {
  it('turns an autocannon outcome into throughput of successful requests and rounded latencies', () => {
    expect(scenarioResult({ name: 'GET one', kind: 'read' }, 100, outcome(80), cpu)).toEqual({
      scenario: 'GET one',
      kind: 'read',
      connections: 100,
      durationS: 10,
      ok: 5_000,
      non2xx: 3,
      errors: 1,
      timeouts: 0,
      throughputRps: 500,
      latencyMs: { p50: 12.3, p90: 40, p99: 80, max: 90 },
      cpuMsPerRequest: { api: 2.47, postgres: 0.8 },
    });
  });

  it('judges reads at the goal concurrency by the slowest p99 (writes and the baseline aside), and gives no verdict without such a run', () => {
    const results = [
      scenarioResult({ name: 'GET list', kind: 'read' }, 1_000, outcome(95), cpu),
      scenarioResult({ name: 'GET one', kind: 'read' }, 1_000, outcome(120), cpu),
      scenarioResult({ name: 'POST', kind: 'write' }, 1_000, outcome(900), cpu),
      scenarioResult({ name: 'GET /healthz', kind: 'baseline' }, 1_000, outcome(300), cpu),
    ];

    expect(readVerdict(results, { connections: 1_000, p99Ms: 100 })).toBe(
      'goal: reads p99 < 100 ms at 1000 connections: missed (slowest: GET one, p99 120 ms)',
    );
    expect(readVerdict(results.slice(0, 1), { connections: 1_000, p99Ms: 100 })).toContain(': met (');
    expect(readVerdict(results, { connections: 100, p99Ms: 100 })).toBeUndefined();
  });

  it('prints one aligned row per run, failures counted together, with CPU time per request', () => {
    const lines = table([scenarioResult({ name: 'GET one', kind: 'read' }, 100, outcome(80), cpu)]).split(
      '\n',
    );

    expect(lines).toHaveLength(3);
    expect(lines[2]?.split(/\s+/)).toEqual([
      'GET',
      'one',
      '100',
      '500',
      '12.3',
      '40.0',
      '80.0',
      '90.0',
      '5000',
      '4',
      '2.47',
      '0.80',
    ]);
  });
});
