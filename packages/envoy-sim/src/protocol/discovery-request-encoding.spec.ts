import { DiscoveryRequest } from '@envoy-fleet/proto/xds';
import { encodeDiscoveryRequest } from './discovery-request-encoding';

const node = {
  id: 'edge-1',
  cluster: 'edge',
  metadata: { fields: { zone: { kind: { $case: 'stringValue', value: 'eu-1a' } } } },
  locality: { region: 'eu', zone: 'eu-1a', subZone: '' },
  userAgentName: 'envoy',
  extensions: [],
  clientFeatures: ['envoy.lb.does_not_support_overprovisioning'],
  listeningAddresses: [],
};

describe(encodeDiscoveryRequest.name, () => {
  it.each([
    [
      'an ACK with the node and many names',
      DiscoveryRequest.fromPartial({
        versionInfo: 'v1',
        node,
        resourceNames: Array.from({ length: 300 }, (_, index) => `cluster-${index}-ü`),
        typeUrl: 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment',
        responseNonce: '3f',
      }),
    ],
    [
      'a NACK without the node',
      DiscoveryRequest.fromPartial({
        typeUrl: 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
        responseNonce: '7',
        errorDetail: { code: 13, message: 'x'.repeat(5_000), details: [] },
      }),
    ],
    ['an empty request', DiscoveryRequest.fromPartial({})],
  ])('writes the bytes of the generated encoder for %s', (_, request) => {
    const encoded = encodeDiscoveryRequest(request);

    expect(encoded).toEqual(Buffer.from(DiscoveryRequest.encode(request).finish()));
    expect(DiscoveryRequest.decode(encoded)).toEqual(request);
  });
});
