import { DiscoveryResponse } from '@envoy-fleet/proto/xds';
import { SharedResponses } from './shared-responses';

const message = (nonce: string) =>
  Buffer.from(
    DiscoveryResponse.encode(
      DiscoveryResponse.fromPartial({
        versionInfo: 'v1',
        typeUrl: 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
        resources: [
          { typeUrl: 'type.googleapis.com/envoy.config.cluster.v3.Cluster', value: Buffer.from('c') },
        ],
        nonce,
      }),
    ).finish(),
  );

describe(SharedResponses.name, () => {
  it('decodes a message as the generated decoder does, once for every copy of its bytes', () => {
    const sut = new SharedResponses();

    const first = sut.decode(message('1'));

    expect(first).toEqual(DiscoveryResponse.decode(message('1')));
    expect(sut.decode(message('1'))).toBe(first);
    expect(sut.decode(message('2'))).toEqual({ ...first, nonce: '2' });
  });

  it('forgets the least recently used message beyond its capacity', () => {
    const sut = new SharedResponses(1);
    const first = sut.decode(message('1'));

    sut.decode(message('2'));

    expect(sut.decode(message('1'))).not.toBe(first);
  });
});
