import { buildSnapshot } from './build-snapshot';
import { contentHash } from './content-hash';
import {
  EMPTY_TYPE_VERSION,
  encodeManifest,
  ManifestError,
  manifestTypeOf,
  parseManifest,
  typeVersionOf,
} from './manifest';
import { servingKeyOf, tenantOfServingKey } from './serving-key';
import { TYPE_URLS } from './type-urls';

const bytes = (text: string) => Buffer.from(text, 'utf8');

describe('buildSnapshot', () => {
  it('stores each resource under the sha256 of its bytes and lists it by name', () => {
    const sut = buildSnapshot({ cluster: [{ name: 'a', bytes: bytes('A') }] });

    const hash = contentHash(bytes('A'));
    expect(sut.blobs.get(hash)).toEqual(bytes('A'));
    expect(sut.manifest.types[TYPE_URLS.cluster]).toEqual({
      version: typeVersionOf({ a: hash }),
      resources: { a: hash },
    });
  });

  it('hashes the canonical manifest bytes', () => {
    const sut = buildSnapshot({ listener: [{ name: 'l', bytes: bytes('L') }] });

    expect(sut.manifestHash).toBe(contentHash(sut.manifestBytes));
    expect(Buffer.from(sut.manifestBytes).toString()).toBe(
      `{"format":1,"types":{"${TYPE_URLS.listener}":{"resources":{"l":"${contentHash(bytes('L'))}"},"version":"${typeVersionOf(
        { l: contentHash(bytes('L')) },
      )}"}}}`,
    );
  });

  it('gives the same content the same manifest hash whatever the input order', () => {
    const first = buildSnapshot({
      cluster: [
        { name: 'a', bytes: bytes('A') },
        { name: 'b', bytes: bytes('B') },
      ],
      listener: [],
    });
    const second = buildSnapshot({
      listener: [],
      [TYPE_URLS.cluster]: [
        { name: 'b', bytes: bytes('B') },
        { name: 'a', bytes: bytes('A') },
      ],
    });

    expect(second.manifestHash).toBe(first.manifestHash);
  });

  it('changes the type version when any resource changes and keeps the others', () => {
    const before = buildSnapshot({
      cluster: [{ name: 'a', bytes: bytes('A') }],
      listener: [{ name: 'l', bytes: bytes('L') }],
    });
    const after = buildSnapshot({
      cluster: [{ name: 'a', bytes: bytes('A2') }],
      listener: [{ name: 'l', bytes: bytes('L') }],
    });

    expect(after.manifest.types[TYPE_URLS.cluster]?.version).not.toBe(
      before.manifest.types[TYPE_URLS.cluster]?.version,
    );
    expect(after.manifest.types[TYPE_URLS.listener]?.version).toBe(
      before.manifest.types[TYPE_URLS.listener]?.version,
    );
  });

  it('shares one blob between resources with equal bytes', () => {
    const sut = buildSnapshot({
      cluster: [
        { name: 'a', bytes: bytes('same') },
        { name: 'b', bytes: bytes('same') },
      ],
    });

    expect(sut.blobs.size).toBe(1);
  });

  it('refuses a name used twice', () => {
    expect(() =>
      buildSnapshot({
        cluster: [
          { name: 'a', bytes: bytes('1') },
          { name: 'a', bytes: bytes('2') },
        ],
      }),
    ).toThrow(`${TYPE_URLS.cluster}: the name "a" is used by two resources`);
  });

  it('refuses a type given by kind and by type URL', () => {
    expect(() => buildSnapshot({ cluster: [], [TYPE_URLS.cluster]: [] })).toThrow(ManifestError);
  });

  it('records aliases and refuses an alias that is also a name', () => {
    const sut = buildSnapshot({
      virtual_host: [{ name: 'rc/vh', bytes: bytes('V'), aliases: ['rc/example.com'] }],
    });
    expect(sut.manifest.types[TYPE_URLS.virtual_host]?.aliases).toEqual({ 'rc/example.com': 'rc/vh' });

    expect(() =>
      buildSnapshot({
        virtual_host: [
          { name: 'x', bytes: bytes('1'), aliases: ['y'] },
          { name: 'y', bytes: bytes('2') },
        ],
      }),
    ).toThrow('the alias "y" is also the name of a resource');
  });
});

describe('parseManifest', () => {
  const built = buildSnapshot({
    cluster: [{ name: 'a', bytes: bytes('A') }],
    virtual_host: [{ name: 'rc/vh', bytes: bytes('V'), aliases: ['rc/h'] }],
  });

  it('reads back what buildSnapshot wrote', () => {
    expect(parseManifest(built.manifestBytes, built.manifestHash)).toEqual(built.manifest);
  });

  it('re-encodes to the same bytes', () => {
    expect(Buffer.from(encodeManifest(parseManifest(built.manifestBytes)))).toEqual(
      Buffer.from(built.manifestBytes),
    );
  });

  it('refuses bytes that do not hash to the expected hash', () => {
    expect(() => parseManifest(built.manifestBytes, contentHash(bytes('other')))).toThrow(
      /its bytes hash to [0-9a-f]{64}/,
    );
  });

  it.each([
    ['not JSON', '{', /not JSON/],
    ['an array', '[]', /expected a JSON object/],
    ['another format', '{"format":2,"types":{}}', /format 2 is not supported/],
    ['types missing', '{"format":1}', /"types" must be an object/],
    [
      'a bad type URL',
      '{"format":1,"types":{"Cluster":{"resources":{},"version":"x"}}}',
      /types\["Cluster"\]: not a type URL/,
    ],
    [
      'a bad hash',
      `{"format":1,"types":{"${TYPE_URLS.cluster}":{"resources":{"a":"XYZ"},"version":"x"}}}`,
      /resources\["a"\]: "XYZ" is not a lowercase sha256 hex digest/,
    ],
    [
      'a version that does not match',
      `{"format":1,"types":{"${TYPE_URLS.cluster}":{"resources":{},"version":"1"}}}`,
      new RegExp(`version: "1" does not match its content \\(expected "${EMPTY_TYPE_VERSION}"\\)`),
    ],
    [
      'an alias of a missing resource',
      `{"format":1,"types":{"${TYPE_URLS.cluster}":{"aliases":{"x":"y"},"resources":{},"version":"${EMPTY_TYPE_VERSION}"}}}`,
      /aliases\["x"\]: names "y", which is not a resource of the type/,
    ],
  ])('refuses %s', (_case, text, message) => {
    expect(() => parseManifest(bytes(text))).toThrow(message);
  });

  it('treats a type the manifest does not list as empty', () => {
    expect(manifestTypeOf(built.manifest, TYPE_URLS.listener)).toEqual({
      version: EMPTY_TYPE_VERSION,
      resources: {},
    });
  });
});

describe('serving keys', () => {
  it('carry their tenant', () => {
    expect(tenantOfServingKey(servingKeyOf('acme', 'binding:42'))).toBe('acme');
  });

  it('have no tenant when they are not tenant-scoped', () => {
    expect(tenantOfServingKey('binding:42')).toBeUndefined();
  });

  it('refuse a tenant id with a colon', () => {
    expect(() => servingKeyOf('a:b', 'x')).toThrow('must be non-empty and contain no');
  });
});
