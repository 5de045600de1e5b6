import {
  AggregatedDiscoveryServiceService,
  ClientStatusDiscoveryServiceService,
  DeltaDiscoveryRequest,
  DiscoveryRequest,
  DiscoveryResponse,
  ListenerDiscoveryServiceService,
  SecretDiscoveryServiceService,
} from './xds';

const LISTENER_TYPE_URL = 'type.googleapis.com/envoy.config.listener.v3.Listener';

describe('generated xDS code', () => {
  it('encodes and decodes a DiscoveryRequest with its node, names and NACK detail', () => {
    const request = DiscoveryRequest.fromPartial({
      versionInfo: '7',
      node: { id: 'edge-001', cluster: 'edge', locality: { region: 'eu-west-1', zone: 'a' } },
      resourceNames: ['listener-a', 'listener-b'],
      typeUrl: LISTENER_TYPE_URL,
      responseNonce: 'n-3',
      errorDetail: { code: 3, message: 'port out of range' },
    });

    const decoded = DiscoveryRequest.decode(DiscoveryRequest.encode(request).finish());

    expect(decoded).toEqual(request);
    expect(decoded.node?.locality?.zone).toBe('a');
    expect(decoded.errorDetail?.message).toBe('port out of range');
  });

  it('carries resources as Any whose bytes survive a DiscoveryResponse round trip', () => {
    const value = Uint8Array.from([0x0a, 0x03, 0x61, 0x62, 0x63]);
    const response = DiscoveryResponse.fromPartial({
      versionInfo: 'v1',
      typeUrl: LISTENER_TYPE_URL,
      nonce: '1',
      resources: [{ typeUrl: LISTENER_TYPE_URL, value }],
    });

    const decoded = DiscoveryResponse.decode(DiscoveryResponse.encode(response).finish());

    expect(decoded.resources[0]?.typeUrl).toBe(LISTENER_TYPE_URL);
    expect(Array.from(decoded.resources[0]?.value ?? [])).toEqual(Array.from(value));
  });

  it('round-trips the delta initial_resource_versions map', () => {
    const request = DeltaDiscoveryRequest.fromPartial({
      typeUrl: LISTENER_TYPE_URL,
      resourceNamesSubscribe: ['a'],
      initialResourceVersions: { a: 'hash-a' },
    });

    const decoded = DeltaDiscoveryRequest.decode(DeltaDiscoveryRequest.encode(request).finish());

    expect(decoded.initialResourceVersions).toEqual({ a: 'hash-a' });
  });

  it('defines ADS with the state-of-the-world and delta methods at their gRPC paths', () => {
    expect(AggregatedDiscoveryServiceService.streamAggregatedResources.path).toBe(
      '/envoy.service.discovery.v3.AggregatedDiscoveryService/StreamAggregatedResources',
    );
    expect(AggregatedDiscoveryServiceService.deltaAggregatedResources.path).toBe(
      '/envoy.service.discovery.v3.AggregatedDiscoveryService/DeltaAggregatedResources',
    );
    expect(AggregatedDiscoveryServiceService.streamAggregatedResources.requestStream).toBe(true);
    expect(AggregatedDiscoveryServiceService.streamAggregatedResources.responseStream).toBe(true);
  });

  it('defines the per-type and CSDS services', () => {
    expect(ListenerDiscoveryServiceService.streamListeners.path).toBe(
      '/envoy.service.listener.v3.ListenerDiscoveryService/StreamListeners',
    );
    expect(SecretDiscoveryServiceService.deltaSecrets.path).toBe(
      '/envoy.service.secret.v3.SecretDiscoveryService/DeltaSecrets',
    );
    expect(ClientStatusDiscoveryServiceService.streamClientStatus.path).toBe(
      '/envoy.service.status.v3.ClientStatusDiscoveryService/StreamClientStatus',
    );
  });
});
