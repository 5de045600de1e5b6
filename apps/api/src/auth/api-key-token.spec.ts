import { apiKeyMatches, generateApiKey, hashApiKey, lookupPrefixOf } from './api-key-token';

describe(generateApiKey.name, () => {
  it('makes a token whose prefix and hash are derived from it', () => {
    const sut = generateApiKey();

    expect(sut.token).toMatch(/^efk_[A-Za-z0-9]{12}_[A-Za-z0-9_-]{43}$/);
    expect(sut.token.startsWith(sut.prefix)).toBe(true);
    expect(sut.prefix).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
    expect(lookupPrefixOf(sut.token)).toBe(sut.prefix);
    expect(sut.hash).toBe(hashApiKey(sut.token));
  });

  it('never repeats a token', () => {
    expect(generateApiKey().token).not.toBe(generateApiKey().token);
  });
});

describe(lookupPrefixOf.name, () => {
  it('gives operator-chosen tokens a stable prefix that reveals nothing of them', () => {
    const prefix = lookupPrefixOf('my-bootstrap-token-of-some-length');

    expect(prefix).toBe(lookupPrefixOf('my-bootstrap-token-of-some-length'));
    expect(prefix).toMatch(/^efb_[0-9a-f]{24}$/);
    expect(prefix).not.toContain('bootstrap');
  });
});

describe(apiKeyMatches.name, () => {
  it('accepts the token and nothing else', () => {
    const { token, hash } = generateApiKey();

    expect(apiKeyMatches(token, hash)).toBe(true);
    expect(apiKeyMatches(`${token}x`, hash)).toBe(false);
    expect(apiKeyMatches(token, 'abcd')).toBe(false);
  });
});
