import { cluster, decoded, endpoints, listener } from '../../test/resources';
import { testBootstrap } from '../../test/sim-bootstrap';
import { ConfigStore } from '../config/config-store';
import { NO_REJECTIONS } from '../config/reject-policy';
import { SimStats } from '../stats/sim-stats';
import { CLUSTER_TYPE, ENDPOINT_TYPE, LISTENER_TYPE, SECRET_TYPE, type XdsTypeUrl } from '../xds/xds-types';
import { bootstrapFromDocument } from '../bootstrap/bootstrap-file';
import { bootstrapJson, buildConfigDump } from './config-dump';

const AT = Date.UTC(2026, 10, 25, 12, 0, 0);

function populatedStore(): ConfigStore {
  const store = new ConfigStore(new SimStats(), NO_REJECTIONS, () => AT);
  const apply = (typeUrl: XdsTypeUrl, resources: ReturnType<typeof decoded>[], version: string) =>
    store.apply({
      typeUrl,
      resources: resources.map((resource) => ({ name: resource.name, version, resource })),
      removed: [],
      versionInfo: version,
    });
  apply(CLUSTER_TYPE, [decoded('cluster', cluster('backend')), decoded('cluster', cluster('pending'))], 'c1');
  apply(ENDPOINT_TYPE, [decoded('endpoint', endpoints('backend'))], 'e1');
  apply(
    LISTENER_TYPE,
    [decoded('listener', listener('http', 80)), decoded('listener', listener('clash', 80))],
    'l1',
  );
  apply(
    SECRET_TYPE,
    [
      decoded('secret', {
        name: 'key',
        tls_certificate: {
          private_key: { inline_string: 'PRIVATE' },
          certificate_chain: { inline_string: 'CERT' },
        },
      }),
    ],
    's1',
  );
  return store;
}

describe(buildConfigDump.name, () => {
  const source = {
    bootstrap: testBootstrap(18000, 'sotw'),
    store: populatedStore(),
    startedAt: AT,
    typeVersion: (typeUrl: string) => (typeUrl === LISTENER_TYPE ? 'l1' : 'c1'),
  };

  it("has Envoy's sections in Envoy's order, EDS only when asked", () => {
    const types = (query = {}) =>
      (buildConfigDump(source, query)['configs'] as { '@type': string }[]).map((config) =>
        config['@type'].split('.').pop(),
      );
    expect(types()).toEqual([
      'BootstrapConfigDump',
      'ClustersConfigDump',
      'ListenersConfigDump',
      'RoutesConfigDump',
      'SecretsConfigDump',
    ]);
    expect(types({ includeEds: true })).toContain('EndpointsConfigDump');
  });

  it('shows several xDS servers as the ADS cluster, which reads back as the same servers', () => {
    const bootstrap = testBootstrap(18000, 'delta', {
      alternateEndpoints: [{ host: '127.0.0.2', port: 18001 }],
    });

    expect(bootstrapFromDocument(bootstrapJson(bootstrap)).xds).toMatchObject({
      host: '127.0.0.1',
      port: 18000,
      mode: 'delta',
      alternateEndpoints: [{ host: '127.0.0.2', port: 18001 }],
    });
    expect(bootstrapFromDocument(bootstrapJson(testBootstrap(18000, 'sotw'))).xds).toEqual(
      expect.not.objectContaining({ alternateEndpoints: expect.anything() }),
    );
  });

  it('shows active, warming and rejected resources with versions and timestamps', () => {
    const [, clusters, listeners] = buildConfigDump(source)['configs'] as Record<string, unknown>[];
    expect(clusters).toMatchObject({
      version_info: 'c1',
      dynamic_active_clusters: [
        {
          version_info: 'c1',
          cluster: { '@type': CLUSTER_TYPE, name: 'backend' },
          last_updated: '2026-11-25T12:00:00.000Z',
        },
      ],
      dynamic_warming_clusters: [{ version_info: 'c1', cluster: { name: 'pending' } }],
    });
    expect(listeners).toMatchObject({
      version_info: 'l1',
      dynamic_listeners: [
        { name: 'http', warming_state: { version_info: 'l1', listener: { name: 'http' } } },
        {
          name: 'clash',
          error_state: {
            failed_configuration: { '@type': LISTENER_TYPE, name: 'clash' },
            details: "error adding listener: 'clash' has duplicate address '0.0.0.0:80' as existing listener",
            last_update_attempt: '2026-11-25T12:00:00.000Z',
            version_info: 'l1',
          },
        },
      ],
    });
  });

  it('redacts private keys of secrets', () => {
    const dump = buildConfigDump(source, { resource: 'dynamic_active_secrets' });
    expect(dump).toEqual({
      configs: [
        {
          '@type': 'type.googleapis.com/envoy.admin.v3.SecretsConfigDump.DynamicSecret',
          name: 'key',
          version_info: 's1',
          last_updated: '2026-11-25T12:00:00.000Z',
          secret: {
            '@type': SECRET_TYPE,
            name: 'key',
            tls_certificate: {
              certificate_chain: { inline_string: 'CERT' },
              private_key: { inline_string: '[redacted]' },
            },
          },
        },
      ],
    });
  });

  it('selects by name', () => {
    const dump = buildConfigDump(source, { resource: 'dynamic_listeners', nameRegex: /^http$/ });
    expect((dump['configs'] as { name: string }[]).map((config) => config.name)).toEqual(['http']);
  });
});
