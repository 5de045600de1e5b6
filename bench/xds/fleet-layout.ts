import { servingKeyOf } from '@envoy-fleet/xds';

/** How the benchmark's proxies are named and grouped; the orchestrator and the fleet worker share it. */
export const BENCH_TENANT = 'bench';
export const NODE_ID_PATTERN = 'bench-proxy-{n}';

/** Proxy n (1-based, as SimFleet numbers them) belongs to group (n - 1) mod groups. */
export function groupOf(n: number, groups: number): number {
  return (n - 1) % groups;
}

export function nodeIdOf(n: number): string {
  return NODE_ID_PATTERN.replace('{n}', String(n));
}

export function servingKeyOfGroup(group: number): string {
  return servingKeyOf(BENCH_TENANT, `group-${group}`);
}
