import { randomBytes } from 'node:crypto';
import { type ConfigDocument, emptyConfigDocument } from '@envoy-fleet/domain';
import { ENCRYPTED_FIELD, maskDocument, openDocument, sealDocument, SecretCipher } from './secret-cipher';

const TENANT = '3f1e6c2a-1111-4a5b-9c8d-000000000001';
const OTHER_TENANT = '3f1e6c2a-1111-4a5b-9c8d-000000000002';
const body = { name: 'edge_cert', tls_certificate: { private_key: { inline_string: 'PRIVATE' } } };

describe(SecretCipher.name, () => {
  const sut = new SecretCipher(randomBytes(32));

  it('seals a body so that only the same key and tenant open it', () => {
    const sealed = sut.seal(body, TENANT);

    expect(JSON.stringify(sealed)).not.toContain('PRIVATE');
    expect(sut.open(sealed, TENANT)).toEqual(body);
    expect(() => sut.open(sealed, OTHER_TENANT)).toThrow();
    expect(() => new SecretCipher(randomBytes(32)).open(sealed, TENANT)).toThrow();
  });

  it('uses a fresh IV each time but keeps a stable digest of the content', () => {
    const first = sut.seal(body, TENANT);
    const second = sut.seal(body, TENANT);

    expect(first[ENCRYPTED_FIELD]).not.toEqual(second[ENCRYPTED_FIELD]);
    expect(first['sha256']).toEqual(second['sha256']);
  });

  it('detects a tampered ciphertext', () => {
    const sealed = sut.seal(body, TENANT);
    const envelope = sealed[ENCRYPTED_FIELD] as string;
    const tampered = { ...sealed, [ENCRYPTED_FIELD]: `${envelope.slice(0, -2)}AA` };

    expect(() => sut.open(tampered, TENANT)).toThrow();
  });

  it('refuses to seal without a key, naming the variable', () => {
    expect(() => new SecretCipher(null).seal(body, TENANT)).toThrow(/SECRET_ENCRYPTION_KEY is not set/);
  });
});

describe(maskDocument.name, () => {
  it('shows secrets by name and digest only, and leaves other resources alone', () => {
    const cipher = new SecretCipher(randomBytes(32));
    const document: ConfigDocument = {
      resources: {
        ...emptyConfigDocument().resources,
        cluster: [{ name: 'api', labels: {}, body: { name: 'api' } }],
        secret: [{ name: 'edge_cert', labels: {}, body }],
      },
    };
    const sealed = sealDocument(document, cipher, TENANT);

    const masked = maskDocument(sealed);

    expect(masked.resources.cluster).toEqual(document.resources.cluster);
    expect(masked.resources.secret).toEqual([
      {
        name: 'edge_cert',
        labels: {},
        body: { name: 'edge_cert', '@masked': expect.stringMatching(/^sha256:[0-9a-f]{64}$/) as unknown },
      },
    ]);
    expect(openDocument(sealed, cipher, TENANT)).toEqual(document);
  });
});
