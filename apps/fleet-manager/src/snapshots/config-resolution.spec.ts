import { emptyConfigDocument } from '@envoy-fleet/domain';
import { applyOverrides, documentOfProxyConfig } from './config-resolution';

describe(documentOfProxyConfig.name, () => {
  it('reads the spec sections into a document, naming each resource by its name or cluster_name', () => {
    const reading = documentOfProxyConfig({
      apiVersion: 'v1',
      kind: 'ProxyConfig',
      metadata: { name: 'web' },
      spec: { clusters: [{ name: 'api' }], endpoints: [{ cluster_name: 'api' }] },
    });

    expect(reading).toEqual({
      ok: true,
      document: {
        resources: {
          ...emptyConfigDocument().resources,
          cluster: [{ name: 'api', labels: {}, body: { name: 'api' } }],
          endpoint: [{ name: 'api', labels: {}, body: { cluster_name: 'api' } }],
        },
      },
    });
  });

  it('reports every envelope problem at its path', () => {
    expect(
      documentOfProxyConfig({
        apiVersion: 'v2',
        spec: { clusters: [{ type: 'STATIC' }, 'x'], routes: {}, services: [] },
      }),
    ).toEqual({
      ok: false,
      issues: [
        { path: 'apiVersion', message: 'must be "v1"' },
        { path: 'kind', message: 'must be "ProxyConfig"' },
        { path: 'spec.clusters[0].name', message: 'a resource needs a name' },
        { path: 'spec.clusters[1]', message: 'must be an object' },
        { path: 'spec.routes', message: 'must be an array' },
        { path: 'spec.services', message: 'is not a ProxyConfig section' },
      ],
    });
    expect(documentOfProxyConfig([1])).toEqual({
      ok: false,
      issues: [{ path: '', message: 'the template must render a ProxyConfig object' }],
    });
  });
});

describe(applyOverrides.name, () => {
  const inherited = {
    resources: {
      ...emptyConfigDocument().resources,
      cluster: [
        { name: 'api', labels: { team: 'a' }, body: { name: 'api', connect_timeout: '1s', type: 'EDS' } },
      ],
    },
  };

  it('merge-patches the named resource, adds a missing one, and leaves the inherited document as it was', () => {
    const patched = applyOverrides(inherited, [
      { resourceType: 'cluster', name: 'api', patch: { connect_timeout: '2s', type: null } },
      { resourceType: 'cluster', name: 'extra', patch: { name: 'extra' } },
    ]);

    expect(patched).toEqual({
      ok: true,
      document: {
        resources: {
          ...emptyConfigDocument().resources,
          cluster: [
            { name: 'api', labels: { team: 'a' }, body: { name: 'api', connect_timeout: '2s' } },
            { name: 'extra', labels: {}, body: { name: 'extra' } },
          ],
        },
      },
    });
    expect(inherited.resources.cluster[0]?.body).toEqual({ name: 'api', connect_timeout: '1s', type: 'EDS' });
  });

  it('reports malformed overrides at their index', () => {
    expect(
      applyOverrides(inherited, [
        'x',
        { resourceType: 'clusters', name: 'api', patch: {} },
        { resourceType: 'cluster', name: '', patch: {} },
        { resourceType: 'cluster', name: 'api', patch: [] },
      ]),
    ).toEqual({
      ok: false,
      issues: [
        { path: 'overrides[0]', message: 'must be an object' },
        { path: 'overrides[1].resourceType', message: 'must be an xDS resource type' },
        { path: 'overrides[2].name', message: 'must name a resource' },
        { path: 'overrides[3].patch', message: 'must be a JSON merge patch object' },
      ],
    });
  });
});
