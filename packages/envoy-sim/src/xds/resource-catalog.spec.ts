import { BinaryWriter } from '@bufbuild/protobuf/wire';
import { encode, listener } from '../../test/resources';
import { ResourceCatalog, resourceJson } from './resource-catalog';
import { LISTENER_TYPE } from './xds-types';

/** A Listener whose only filter's typed_config names a message the Envoy API does not define. */
function listenerWithUnknownExtension(): Uint8Array {
  const any = new BinaryWriter().uint32(10).string('type.googleapis.com/acme.filters.Unknown').finish();
  const filter = new BinaryWriter().uint32(10).string('acme.unknown').uint32(34).bytes(any).finish();
  const chain = new BinaryWriter().uint32(26).bytes(filter).finish();
  return new BinaryWriter().uint32(10).string('l').uint32(26).bytes(chain).finish();
}

describe(ResourceCatalog.name, () => {
  it('decodes equal bytes once and shares the result', () => {
    const sut = new ResourceCatalog();
    const first = sut.decode(LISTENER_TYPE, encode('listener', listener('http', 80)));
    const second = sut.decode(LISTENER_TYPE, encode('listener', listener('http', 80)));
    expect(first.ok && second.ok && first.resource === second.resource).toBe(true);
    expect(sut.size).toBe(1);
  });

  it('forgets the least recently used results beyond its capacity', () => {
    const sut = new ResourceCatalog(2);
    for (const port of [1, 2, 3]) sut.decode(LISTENER_TYPE, encode('listener', listener('http', port)));
    expect(sut.size).toBe(2);
  });

  it('rejects what validate.rules forbid, naming the field', () => {
    const result = new ResourceCatalog().decode(LISTENER_TYPE, encode('listener', listener('http', 70000)));
    expect(result).toMatchObject({
      ok: false,
      message: expect.stringMatching(
        /^Proto constraint validation failed \(address\.socket_address\.port_value: /,
      ) as unknown,
    });
  });

  it('rejects an extension whose type the Envoy API does not define', () => {
    const result = new ResourceCatalog().decode(LISTENER_TYPE, listenerWithUnknownExtension());
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.message).toContain(
      'typed_config.type_url: unknown type "type.googleapis.com/acme.filters.Unknown"',
    );
  });

  it('gives the resource back as proto JSON for /config_dump', () => {
    const result = new ResourceCatalog().decode(LISTENER_TYPE, encode('listener', listener('http', 80)));
    expect(result.ok && resourceJson(result.resource)).toMatchObject({
      name: 'http',
      address: { socket_address: { port_value: 80 } },
    });
  });
});
