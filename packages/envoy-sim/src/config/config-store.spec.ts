import {
  cluster,
  CORS_FILTER,
  decoded,
  endpoints,
  listener,
  listenerWithFilters,
  listenerWithInlineRoutes,
  route,
  ROUTER_FILTER,
  secret,
  staticCluster,
} from '../../test/resources';
import { SimStats } from '../stats/sim-stats';
import { type DecodedResource } from '../xds/resource-catalog';
import {
  CLUSTER_TYPE,
  ENDPOINT_TYPE,
  LISTENER_TYPE,
  ROUTE_TYPE,
  SECRET_TYPE,
  type XdsTypeUrl,
} from '../xds/xds-types';
import { ConfigStore } from './config-store';
import { NO_REJECTIONS, type RejectPolicy } from './reject-policy';

function update(typeUrl: XdsTypeUrl, resources: DecodedResource[], version = 'v1', removed: string[] = []) {
  return {
    typeUrl,
    resources: resources.map((resource) => ({ name: resource.name, version, resource })),
    removed,
    versionInfo: version,
  };
}

function storeWith(policy: RejectPolicy = NO_REJECTIONS): { sut: ConfigStore; stats: SimStats } {
  const stats = new SimStats();
  return { sut: new ConfigStore(stats, policy, () => 1_700_000_000_000), stats };
}

describe(ConfigStore.name, () => {
  describe('listeners (LDS)', () => {
    it('applies the valid listeners of a response and names each rejected one in Envoy words', () => {
      const { sut } = storeWith();
      const outcome = sut.apply(
        update(LISTENER_TYPE, [
          decoded('listener', listener('a', 8080)),
          decoded('listener', listener('b', 8080)),
        ]),
      );
      expect(outcome.error).toBe(
        "Error adding/updating listener(s) b: error adding listener: 'b' has duplicate address '0.0.0.0:8080' as existing listener\n",
      );
      expect(sut.listeners.get('a')?.warming?.version).toBe('v1');
      expect(sut.listeners.get('b')?.error?.details).toContain('duplicate address');
      expect(sut.listeners.get('b')?.warming).toBeUndefined();
    });

    it('rejects the second of two listeners with one name, keeping the first', () => {
      const { sut } = storeWith();
      const outcome = sut.apply(
        update(LISTENER_TYPE, [
          decoded('listener', listener('a', 8080)),
          decoded('listener', listener('a', 8081)),
        ]),
      );
      expect(outcome.error).toBe('Error adding/updating listener(s) a: duplicate listener a found\n');
      expect(sut.listeners.get('a')?.warming?.resource.listener?.addresses).toEqual(['0.0.0.0:8080']);
    });

    it('answers an extension this build lacks with Envoy\'s "Didn\'t find a registered implementation"', () => {
      const { sut } = storeWith({ ...NO_REJECTIONS, missingExtensions: ['envoy.filters.http.cors'] });
      const outcome = sut.apply(
        update(LISTENER_TYPE, [
          decoded('listener', listenerWithFilters('a', 8080, [CORS_FILTER, ROUTER_FILTER])),
        ]),
      );
      expect(outcome.error).toBe(
        "Error adding/updating listener(s) a: Didn't find a registered implementation for 'envoy.filters.http.cors' " +
          "with type URL: 'envoy.extensions.filters.http.cors.v3.Cors'\n",
      );
    });

    it('skips a missing extension marked is_optional, as Envoy does', () => {
      const { sut } = storeWith({
        ...NO_REJECTIONS,
        missingExtensions: ['type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors'],
      });
      const outcome = sut.apply(
        update(LISTENER_TYPE, [
          decoded(
            'listener',
            listenerWithFilters('a', 8080, [{ ...CORS_FILTER, is_optional: true }, ROUTER_FILTER]),
          ),
        ]),
      );
      expect(outcome.error).toBeUndefined();
    });

    it('refuses a router that is not the last HTTP filter', () => {
      const { sut } = storeWith();
      const outcome = sut.apply(
        update(LISTENER_TYPE, [
          decoded('listener', listenerWithFilters('a', 8080, [ROUTER_FILTER, CORS_FILTER])),
        ]),
      );
      expect(outcome.error).toBe(
        'Error adding/updating listener(s) a: Error: terminal filter named envoy.filters.http.router of type ' +
          'envoy.filters.http.router must be the last filter in a http filter chain.\n',
      );
    });

    it('validates the clusters of an inline route table (validate_clusters defaults to true there)', () => {
      const { sut } = storeWith();
      const outcome = sut.apply(
        update(LISTENER_TYPE, [decoded('listener', listenerWithInlineRoutes('a', 8080, 'nowhere'))]),
      );
      expect(outcome.error).toBe("Error adding/updating listener(s) a: route: unknown cluster 'nowhere'\n");
    });

    it('removes listeners a state-of-the-world response leaves out', () => {
      const { sut, stats } = storeWith();
      sut.apply(
        update(LISTENER_TYPE, [
          decoded('listener', listener('a', 8080)),
          decoded('listener', listener('b', 8081)),
        ]),
      );
      sut.apply(update(LISTENER_TYPE, [decoded('listener', listener('a', 8080))], 'v2', ['b']));
      expect([...sut.listeners.keys()]).toEqual(['a']);
      expect(stats.value('listener_manager.listener_removed')).toBe(1);
    });

    it('lets a listener take the address of one removed in the same update', () => {
      const { sut } = storeWith();
      sut.apply(update(LISTENER_TYPE, [decoded('listener', listener('old', 8080))]));
      const outcome = sut.apply(
        update(LISTENER_TYPE, [decoded('listener', listener('new', 8080))], 'v2', ['old']),
      );
      expect(outcome.error).toBeUndefined();
    });
  });

  describe('clusters (CDS)', () => {
    it("joins rejected clusters with ', ' after Envoy's prefix", () => {
      const { sut } = storeWith({ ...NO_REJECTIONS, rejectNames: /^bad/ });
      const outcome = sut.apply(
        update(CLUSTER_TYPE, [
          decoded('cluster', cluster('bad-1')),
          decoded('cluster', cluster('good')),
          decoded('cluster', cluster('bad-2')),
        ]),
      );
      expect(outcome.error).toBe(
        "Error adding/updating cluster(s) bad-1: simulated rejection of 'bad-1' (envoy-sim --reject-name ^bad), " +
          "bad-2: simulated rejection of 'bad-2' (envoy-sim --reject-name ^bad)",
      );
      expect(sut.hasCluster('good')).toBe(true);
      expect(sut.hasCluster('bad-1')).toBe(false);
    });

    it('keeps the last good version of a cluster whose update is rejected', () => {
      const { sut } = storeWith();
      sut.apply(update(CLUSTER_TYPE, [decoded('cluster', staticCluster('c'))]));
      sut.setPolicy({ ...NO_REJECTIONS, rejectAllOf: [CLUSTER_TYPE] });
      const outcome = sut.apply(
        update(CLUSTER_TYPE, [decoded('cluster', { ...staticCluster('c'), connect_timeout: '2s' })], 'v2'),
      );
      expect(outcome.error).toContain('simulated rejection of every cds update');
      expect(sut.clusters.get('c')?.active?.version).toBe('v1');
      expect(sut.clusters.get('c')?.error?.versionInfo).toBe('v2');
    });

    it('warms an EDS cluster until its ClusterLoadAssignment arrives, then makes it active', () => {
      const { sut, stats } = storeWith();
      sut.apply(update(CLUSTER_TYPE, [decoded('cluster', cluster('backend'))]));
      expect(sut.clusters.get('backend')?.warming).toBeDefined();
      expect([...sut.wantedNames(ENDPOINT_TYPE)]).toEqual(['backend']);
      expect(sut.serverState()).toBe('PRE_INITIALIZING');
      expect(sut.clusterManagerReady()).toBe(false);

      sut.apply(update(ENDPOINT_TYPE, [decoded('endpoint', endpoints('backend'))]));
      expect(sut.clusters.get('backend')?.active).toBeDefined();
      expect(sut.clusterManagerReady()).toBe(true);
      expect(sut.serverState()).toBe('INITIALIZING');
      expect(stats.value('cluster_manager.active_clusters')).toBe(1);
      expect(stats.value('cluster_manager.cluster_added')).toBe(1);
    });

    it('stops waiting for endpoints whose initial fetch timed out', () => {
      const { sut } = storeWith();
      sut.apply(update(CLUSTER_TYPE, [decoded('cluster', cluster('backend'))]));
      sut.markFetchEnded(ENDPOINT_TYPE, 'backend');
      expect(sut.clusters.get('backend')?.active).toBeDefined();
    });

    it('asks SDS for the secrets of upstream TLS and warms until they arrive', () => {
      const { sut } = storeWith();
      sut.apply(update(CLUSTER_TYPE, [decoded('cluster', cluster('tls', { tlsSecretName: 'client-cert' }))]));
      sut.apply(update(ENDPOINT_TYPE, [decoded('endpoint', endpoints('tls'))]));
      expect([...sut.wantedNames(SECRET_TYPE)]).toEqual(['client-cert']);
      expect(sut.clusters.get('tls')?.warming).toBeDefined();
      sut.apply(update(SECRET_TYPE, [decoded('secret', secret('client-cert'))]));
      expect(sut.clusters.get('tls')?.active).toBeDefined();
    });
  });

  describe('routes (RDS)', () => {
    it('accepts a route to an unknown cluster (Envoy answers 503 at request time)', () => {
      const { sut } = storeWith();
      expect(
        sut.apply(update(ROUTE_TYPE, [decoded('route', route('r', ['nowhere']))])).error,
      ).toBeUndefined();
    });

    it('rejects it when the route configuration sets validate_clusters', () => {
      const { sut } = storeWith();
      const outcome = sut.apply(update(ROUTE_TYPE, [decoded('route', route('r', ['nowhere'], true))]));
      expect(outcome).toEqual({ error: "route: unknown cluster 'nowhere'", changed: [] });
    });

    it('takes a response whole or not at all', () => {
      const { sut } = storeWith({ ...NO_REJECTIONS, rejectNames: /^bad$/ });
      const outcome = sut.apply(
        update(ROUTE_TYPE, [decoded('route', route('good', ['c'])), decoded('route', route('bad', ['c']))]),
      );
      expect(outcome.error).toContain("simulated rejection of 'bad'");
      expect(sut.routes.size).toBe(0);
    });

    it('reports duplicate domains in Envoy words', () => {
      const { sut } = storeWith();
      const json = {
        name: 'r',
        virtual_hosts: [
          { name: 'any', domains: ['*'] },
          { name: 'a', domains: ['a.example', 'A.example'] },
        ],
      };
      const outcome = sut.apply(update(ROUTE_TYPE, [decoded('route', json)]));
      expect(outcome.error).toBe(
        'Only unique values for domains are permitted. Duplicate entry of domain a.example in route r',
      );
    });
  });

  describe('initialization', () => {
    it('goes LIVE once CDS and LDS are in and every listener has its routes', () => {
      const { sut, stats } = storeWith();
      sut.apply(update(CLUSTER_TYPE, [decoded('cluster', staticCluster('c'))]));
      expect(sut.serverState()).toBe('INITIALIZING');
      sut.apply(update(LISTENER_TYPE, [decoded('listener', listener('http', 8080))]));
      expect([...sut.wantedNames(ROUTE_TYPE)]).toEqual(['http-routes']);
      expect(sut.serverState()).toBe('INITIALIZING');
      expect(stats.value('server.state')).toBe(3);
      sut.apply(update(ROUTE_TYPE, [decoded('route', route('http-routes', ['c']))]));
      expect(sut.serverState()).toBe('LIVE');
      expect(stats.value('server.state')).toBe(0);
      expect(stats.value('server.live')).toBe(1);
      expect(sut.routeStatPrefixes('http-routes')).toEqual(['http']);
    });

    it('goes on when the first CDS and LDS responses time out', () => {
      const { sut } = storeWith();
      sut.markInitialFetchEnded(CLUSTER_TYPE);
      expect(sut.clusterManagerReady()).toBe(true);
      sut.markInitialFetchEnded(LISTENER_TYPE);
      expect(sut.serverState()).toBe('LIVE');
    });

    it('forgets RDS resources once no listener refers to them', () => {
      const { sut } = storeWith();
      sut.apply(update(ROUTE_TYPE, [decoded('route', route('r', ['c']))]));
      sut.forget(ROUTE_TYPE, ['r']);
      expect(sut.routes.size).toBe(0);
    });
  });
});
