import { proxyContainerSpecSchema } from '@envoy-fleet/domain';
import { AGENT_LABELS, containerLabels, specFromLabels, specHash } from './container-labels';

const NODE_ID = '7c1d2a4e-0000-4000-8000-0000000000aa';
const spec = proxyContainerSpecSchema.parse({
  proxyId: '7c1d2a4e-0000-4000-8000-000000000001',
  tenantId: '7c1d2a4e-0000-4000-8000-000000000002',
  xdsNodeId: 'edge-001',
  groupName: 'edge',
  ordinal: 1,
  image: 'envoyproxy/envoy:v1.36.2',
  proxyPort: 10001,
  adminPort: 20001,
  xds: { host: '10.0.0.5', port: 18000 },
  labels: { team: 'payments' },
});

describe(containerLabels.name, () => {
  it('carries the spec so that the container alone says what it runs', () => {
    const sut = containerLabels(NODE_ID, spec);

    expect(sut).toMatchObject({
      team: 'payments',
      [AGENT_LABELS.managed]: 'true',
      [AGENT_LABELS.nodeId]: NODE_ID,
      [AGENT_LABELS.proxyId]: spec.proxyId,
      [AGENT_LABELS.tenantId]: spec.tenantId,
      [AGENT_LABELS.xdsNodeId]: 'edge-001',
      [AGENT_LABELS.group]: 'edge',
      [AGENT_LABELS.ordinal]: '1',
      [AGENT_LABELS.specHash]: specHash(spec),
    });
    expect(specFromLabels(sut)).toEqual(spec);
  });

  it('hashes equal specs alike whatever the key order, and different specs differently', () => {
    const reordered = Object.fromEntries(Object.entries(spec).reverse()) as typeof spec;

    expect(specHash(reordered)).toBe(specHash(spec));
    expect(specHash({ ...spec, image: 'envoyproxy/envoy:v1.36.3' })).not.toBe(specHash(spec));
  });
});

describe(specFromLabels.name, () => {
  it('gives null for containers without a readable spec', () => {
    expect(specFromLabels({})).toBeNull();
    expect(specFromLabels({ [AGENT_LABELS.spec]: '{not json' })).toBeNull();
    expect(specFromLabels({ [AGENT_LABELS.spec]: '{"proxyId":"x"}' })).toBeNull();
  });
});
