import { emptyConfigDocument } from '@envoy-fleet/domain';
import {
  applyOverrides,
  chooseBindings,
  documentOfProxyConfig,
  type ResolvableBinding,
} from './config-resolution';

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

describe(chooseBindings.name, () => {
  const binding = (id: string, target: Partial<ResolvableBinding>): ResolvableBinding => ({
    id,
    mode: 'group',
    proxyId: null,
    groupId: null,
    labelSelector: null,
    configId: `config-${id}`,
    templateId: null,
    parentProxyId: null,
    priority: 0,
    parameters: null,
    overrides: null,
    ...target,
  });
  const proxy = (id: string, groupId: string, labels: Record<string, string> = {}) => ({
    id,
    nodeId: id,
    groupId,
    labels,
  });

  it('decides proxies sharing a placement alike, and a proxy a binding names by id on its own', () => {
    const bindings = [
      binding('parent', { groupId: 'edge' }),
      binding('gold', { mode: 'label_selector', labelSelector: { matchLabels: { tier: 'gold' } } }),
      binding('canary', { mode: 'instance', proxyId: 'eu-1' }),
    ];
    const parentOf = new Map([
      ['edge', null],
      ['edge-eu', 'edge'],
      ['lab', null],
    ]);

    const chosen = chooseBindings(
      [
        proxy('eu-1', 'edge-eu'),
        proxy('eu-2', 'edge-eu'),
        proxy('eu-3', 'edge-eu'),
        proxy('lab-1', 'lab', { tier: 'gold' }),
        proxy('lab-2', 'lab', { tier: 'silver' }),
      ],
      parentOf,
      bindings,
    );

    expect(Object.fromEntries([...chosen].map(([id, chosenBinding]) => [id, chosenBinding?.id]))).toEqual({
      'eu-1': 'canary',
      'eu-2': 'parent',
      'eu-3': 'parent',
      'lab-1': 'gold',
      'lab-2': undefined,
    });
  });
});
