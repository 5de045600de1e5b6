import { isApiKeyUsable } from './api-key.entity';

describe(isApiKeyUsable.name, () => {
  const now = new Date('2026-11-25T12:00:00Z');
  it('refuses revoked and expired keys', () => {
    expect(isApiKeyUsable({ expiresAt: null, revokedAt: null }, now)).toBe(true);
    expect(isApiKeyUsable({ expiresAt: new Date('2026-11-25T12:00:00Z'), revokedAt: null }, now)).toBe(false);
    expect(isApiKeyUsable({ expiresAt: null, revokedAt: new Date('2026-01-01T00:00:00Z') }, now)).toBe(false);
  });
});
