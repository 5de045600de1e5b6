import type { JsonObject } from '@envoy-fleet/domain';
import { endpointsOf, summarizeCluster } from './cluster-endpoints';

describe(summarizeCluster.name, () => {
  it('reads the defaults proto-JSON leaves out: STATIC, ROUND_ROBIN, hosts from nowhere', () => {
    expect(summarizeCluster('web', { name: 'web' })).toEqual({
      type: 'STATIC',
      lbPolicy: 'ROUND_ROBIN',
      connectTimeout: null,
      endpointSource: 'none',
      edsServiceName: null,
    });
  });

  it('names the ClusterLoadAssignment an EDS cluster asks for: its service_name, else its own name', () => {
    const eds = { type: 'EDS', lb_policy: 'LEAST_REQUEST', connect_timeout: '2s' };
    expect(summarizeCluster('api', eds)).toEqual({
      type: 'EDS',
      lbPolicy: 'LEAST_REQUEST',
      connectTimeout: '2s',
      endpointSource: 'eds',
      edsServiceName: 'api',
    });
    expect(
      summarizeCluster('api', { ...eds, eds_cluster_config: { service_name: 'api-v2' } }).edsServiceName,
    ).toBe('api-v2');
  });

  it('tells an inline load assignment and a custom cluster type', () => {
    expect(summarizeCluster('db', { type: 'STRICT_DNS', load_assignment: {} }).endpointSource).toBe('inline');
    expect(summarizeCluster('x', { cluster_type: { name: 'envoy.clusters.aggregate' } }).type).toBe('CUSTOM');
  });
});

describe(endpointsOf.name, () => {
  it('flattens localities and their endpoints, keeping weight, health, priority and locality', () => {
    const assignment: JsonObject = {
      cluster_name: 'api',
      endpoints: [
        {
          locality: { region: 'eu', zone: 'eu-1' },
          priority: 1,
          lb_endpoints: [
            {
              endpoint: { address: { socket_address: { address: '10.0.0.7', port_value: 8080 } } },
              health_status: 'HEALTHY',
              load_balancing_weight: 3,
            },
            { endpoint: { address: { socket_address: { address: '::1', port_value: 9000 } } } },
          ],
        },
        { lb_endpoints: [{ endpoint: { address: { pipe: { path: '/run/api.sock' } } } }] },
      ],
    };

    expect(endpointsOf(assignment)).toEqual([
      {
        address: '10.0.0.7:8080',
        healthStatus: 'HEALTHY',
        weight: 3,
        priority: 1,
        locality: { region: 'eu', zone: 'eu-1', subZone: '' },
      },
      {
        address: '[::1]:9000',
        healthStatus: 'UNKNOWN',
        weight: null,
        priority: 1,
        locality: { region: 'eu', zone: 'eu-1', subZone: '' },
      },
      { address: '/run/api.sock', healthStatus: 'UNKNOWN', weight: null, priority: 0, locality: null },
    ]);
  });

  it('skips endpoints without an address (an lb_endpoint naming an endpoint by name only)', () => {
    expect(endpointsOf({ endpoints: [{ lb_endpoints: [{ endpoint_name: 'named' }] }] })).toEqual([]);
  });
});
