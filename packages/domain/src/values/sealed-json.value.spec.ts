import { randomBytes } from 'node:crypto';
import { openSealedJson, sealJson } from './sealed-json.value';

const TENANT = '3f1e6c2a-1111-4a5b-9c8d-000000000001';
const OTHER_TENANT = '3f1e6c2a-1111-4a5b-9c8d-000000000002';
const body = { secret: 'whsec_c2VjcmV0LXNpZ25pbmcta2V5LW9mLTI0LWJ5dGVz' };

describe(sealJson.name, () => {
  const key = randomBytes(32);

  it('seals into a v1 envelope that only the same key and tenant open', () => {
    const envelope = sealJson(body, key, TENANT);

    expect(envelope).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(envelope).not.toContain(body.secret);
    expect(openSealedJson(envelope, key, TENANT)).toEqual(body);
    expect(() => openSealedJson(envelope, key, OTHER_TENANT)).toThrow();
    expect(() => openSealedJson(envelope, randomBytes(32), TENANT)).toThrow();
  });

  it('uses a fresh IV each time', () => {
    expect(sealJson(body, key, TENANT)).not.toEqual(sealJson(body, key, TENANT));
  });

  it('refuses a tampered ciphertext, an envelope of another format and a key of the wrong size', () => {
    const envelope = sealJson(body, key, TENANT);

    expect(() => openSealedJson(`${envelope.slice(0, -2)}AA`, key, TENANT)).toThrow();
    expect(() => openSealedJson(envelope.replace(/^v1/, 'v2'), key, TENANT)).toThrow(
      'a sealed secret is not a v1 envelope (v1.<iv>.<tag>.<ciphertext>)',
    );
    expect(() => openSealedJson(`${envelope}.extra`, key, TENANT)).toThrow(/not a v1 envelope/);
    expect(() => sealJson(body, randomBytes(16), TENANT)).toThrow('the secret key must be 32 bytes, got 16');
  });
});
