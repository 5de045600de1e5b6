import { headerRegex, isEmail, isHostname } from './well-known-formats';

describe('well-known formats', () => {
  it('accepts RFC 1123 host names only', () => {
    expect(isHostname('api.example.com')).toBe(true);
    expect(isHostname('api.example.com.')).toBe(true);
    expect(isHostname('a-.example')).toBe(false);
    expect(isHostname(`${'a'.repeat(64)}.example`)).toBe(false);
    expect(isHostname('')).toBe(false);
  });

  it('accepts e-mail addresses with a host name domain', () => {
    expect(isEmail('ops@example.com')).toBe(true);
    expect(isEmail('ops example@example.com')).toBe(false);
    expect(isEmail('ops@')).toBe(false);
  });

  it('has strict and lenient header regexes', () => {
    expect(headerRegex('HTTP_HEADER_NAME', true).test('x-request-id')).toBe(true);
    expect(headerRegex('HTTP_HEADER_NAME', true).test('x request id')).toBe(false);
    expect(headerRegex('HTTP_HEADER_VALUE', false).test('a\nb')).toBe(false);
  });
});
