import { contentHash } from './content-hash';

describe(contentHash.name, () => {
  it('is the hex SHA-256 of the bytes', () => {
    expect(contentHash(new TextEncoder().encode('abc'))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });
});
