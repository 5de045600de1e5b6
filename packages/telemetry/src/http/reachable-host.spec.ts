import { reachableHost } from './reachable-host';

describe(reachableHost.name, () => {
  it('reaches a wildcard bind address (IPv4 or IPv6) through the loopback', () => {
    expect(reachableHost('0.0.0.0')).toBe('127.0.0.1');
    expect(reachableHost('::')).toBe('127.0.0.1');
  });

  it('keeps a specific address', () => {
    expect(reachableHost('10.0.0.7')).toBe('10.0.0.7');
    expect(reachableHost('::1')).toBe('::1');
  });
});
