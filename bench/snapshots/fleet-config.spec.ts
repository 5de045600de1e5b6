import { clusterName, fleetConfig } from './fleet-config';

interface Spec {
  listeners: unknown[];
  routes: { virtual_hosts: { routes: { route: { cluster: string } }[] }[] }[];
  clusters: { name: string }[];
  endpoints: { cluster_name: string; endpoints: { lb_endpoints: unknown[] }[] }[];
}

const shape = { listeners: 2, routes: 50, clusters: 50, endpoints: 100_000 };
const specOf = (config: Record<string, unknown>) => (config as { spec: Spec }).spec;

describe('the benchmark fleet config', () => {
  it('has the asked numbers of listeners, routes, clusters and endpoints, every route to a cluster of it', () => {
    const spec = specOf(fleetConfig('fleet', shape));
    const routes = spec.routes.flatMap((table) => table.virtual_hosts.flatMap((host) => host.routes));
    const endpoints = spec.endpoints.flatMap((assignment) =>
      assignment.endpoints.flatMap((locality) => locality.lb_endpoints),
    );

    expect(spec.listeners).toHaveLength(2);
    expect(routes).toHaveLength(50);
    expect(spec.clusters).toHaveLength(50);
    expect(endpoints).toHaveLength(100_000);
    const clusters = new Set(spec.clusters.map((cluster) => cluster.name));
    expect(routes.every((route) => clusters.has(route.route.cluster))).toBe(true);
  });

  it('changes the endpoints of one cluster only from one revision to the next', () => {
    const before = specOf(fleetConfig('fleet', shape, 1, 7));
    const after = specOf(fleetConfig('fleet', shape, 2, 7));

    const changed = after.endpoints
      .filter((assignment, index) => JSON.stringify(assignment) !== JSON.stringify(before.endpoints[index]))
      .map((assignment) => assignment.cluster_name);
    expect(changed).toEqual([clusterName(7)]);
    expect(after.clusters).toEqual(before.clusters);
    expect(after.routes).toEqual(before.routes);
  });
});
