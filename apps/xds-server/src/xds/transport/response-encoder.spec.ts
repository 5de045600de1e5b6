import { DeltaDiscoveryResponse, DiscoveryResponse } from '@envoy-fleet/proto/xds';
import { buildSnapshot, contentHash, decodeResource, TYPE_URLS } from '@envoy-fleet/xds';
import { ServedSnapshot } from '../cache/served-snapshot';
import { EMPTY_CLUSTER_LOAD_ASSIGNMENT } from '../protocol/snapshot-view';
import { ResponseEncoder } from './response-encoder';

const clusterBytes = Buffer.from('cluster bytes');
const built = buildSnapshot({ cluster: [{ name: 'c', bytes: clusterBytes }] });
const snapshot = ServedSnapshot.fromManifest(built.manifestHash, built.manifest, built.blobs);
const hash = contentHash(clusterBytes);

describe(ResponseEncoder.name, () => {
  const sut = new ResponseEncoder({ controlPlaneId: 'replica-1', maxCachedBytes: 1 << 20 });

  it('encodes a DiscoveryResponse from the stored bytes, with the stream’s nonce', () => {
    const bytes = sut.sotw(
      {
        typeUrl: TYPE_URLS.cluster,
        version: 'v1',
        nonce: 'n7',
        complete: true,
        resources: [{ name: 'c', hash }],
      },
      snapshot,
    );

    expect(DiscoveryResponse.decode(bytes)).toEqual({
      versionInfo: 'v1',
      resources: [{ typeUrl: TYPE_URLS.cluster, value: new Uint8Array(clusterBytes) }],
      canary: false,
      typeUrl: TYPE_URLS.cluster,
      nonce: 'n7',
      controlPlane: { identifier: 'replica-1' },
    });
  });

  it('shares the body between streams and changes only the nonce', () => {
    const response = {
      typeUrl: TYPE_URLS.cluster,
      version: 'v1',
      complete: true,
      resources: [{ name: 'c', hash }],
    };

    const first = DiscoveryResponse.decode(sut.sotw({ ...response, nonce: 'a' }, snapshot));
    const second = DiscoveryResponse.decode(sut.sotw({ ...response, nonce: 'b' }, ServedSnapshot.empty()));

    expect({ ...second, nonce: 'a' }).toEqual(first);
  });

  it('hands streams whose nonces coincide the same message', () => {
    const response = {
      typeUrl: TYPE_URLS.cluster,
      version: 'v3',
      nonce: '4',
      complete: true,
      resources: [{ name: 'c', hash }],
    };

    const first = sut.sotw(response, snapshot);

    expect(sut.sotw(response, ServedSnapshot.empty())).toBe(first);
  });

  it('shares the body of a named selection between streams whose lists name the same resources', () => {
    const response = { typeUrl: TYPE_URLS.cluster, version: 'v2', complete: false };

    const first = DiscoveryResponse.decode(
      sut.sotw({ ...response, nonce: 'a', resources: [{ name: 'c', hash }] }, snapshot),
    );
    const second = DiscoveryResponse.decode(
      sut.sotw({ ...response, nonce: 'b', resources: [{ name: 'c', hash }] }, ServedSnapshot.empty()),
    );

    expect({ ...second, nonce: 'a' }).toEqual(first);
  });

  it('appends a nonce longer than one length byte intact', () => {
    const nonce = 'n'.repeat(300);
    const bytes = sut.sotw(
      { typeUrl: TYPE_URLS.cluster, version: 'v1', nonce, complete: true, resources: [{ name: 'c', hash }] },
      snapshot,
    );

    expect(DiscoveryResponse.decode(bytes)).toMatchObject({ versionInfo: 'v1', nonce });
  });

  it('encodes an empty ClusterLoadAssignment named after the request', () => {
    const bytes = sut.sotw(
      {
        typeUrl: TYPE_URLS.endpoint,
        version: 'v1',
        nonce: 'n',
        complete: false,
        resources: [{ name: 'orphan', hash: EMPTY_CLUSTER_LOAD_ASSIGNMENT }],
      },
      snapshot,
    );

    const [any] = DiscoveryResponse.decode(bytes).resources;
    expect(decodeResource('endpoint', any!.value)).toEqual({ cluster_name: 'orphan' });
  });

  it('encodes a DeltaDiscoveryResponse with per-resource versions, aliases and removed names', () => {
    const bytes = sut.delta(
      {
        typeUrl: TYPE_URLS.cluster,
        systemVersion: 'sv',
        nonce: 'n1',
        resources: [{ name: 'c', hash, aliases: ['alias'] }],
        removed: ['gone'],
      },
      snapshot,
    );

    expect(DeltaDiscoveryResponse.decode(bytes)).toMatchObject({
      systemVersionInfo: 'sv',
      typeUrl: TYPE_URLS.cluster,
      nonce: 'n1',
      removedResources: ['gone'],
      resources: [
        {
          name: 'c',
          version: hash,
          aliases: ['alias'],
          resource: { typeUrl: TYPE_URLS.cluster, value: new Uint8Array(clusterBytes) },
        },
      ],
      controlPlane: { identifier: 'replica-1' },
    });
  });

  it('fails with the resource named when its bytes are unknown', () => {
    expect(() =>
      sut.sotw(
        {
          typeUrl: TYPE_URLS.listener,
          version: 'v',
          nonce: 'n',
          complete: false,
          resources: [{ name: 'l', hash: 'f'.repeat(64) }],
        },
        snapshot,
      ),
    ).toThrow(`the bytes of ${TYPE_URLS.listener} "l" (res:${'f'.repeat(64)}) are not in the snapshot`);
  });
});
