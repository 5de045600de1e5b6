import { CliUsageError, resolveConfig } from './config';

describe(resolveConfig.name, () => {
  it('defaults to the local API without a token', () => {
    expect(resolveConfig({}, {})).toEqual({ apiUrl: 'http://127.0.0.1:8080', token: undefined });
  });

  it('reads ENVOY_FLEET_API_URL and ENVOY_FLEET_TOKEN, dropping a trailing slash', () => {
    const sut = resolveConfig(
      {},
      { ENVOY_FLEET_API_URL: 'https://fleet.example.com/', ENVOY_FLEET_TOKEN: 't0k' },
    );

    expect(sut).toEqual({ apiUrl: 'https://fleet.example.com', token: 't0k' });
  });

  it('lets options override the environment', () => {
    const sut = resolveConfig(
      { apiUrl: 'http://10.0.0.5:8080', token: 'from-flag' },
      { ENVOY_FLEET_API_URL: 'http://ignored:8080', ENVOY_FLEET_TOKEN: 'ignored' },
    );

    expect(sut).toEqual({ apiUrl: 'http://10.0.0.5:8080', token: 'from-flag' });
  });

  it('names where a wrong URL came from', () => {
    expect(() => resolveConfig({}, { ENVOY_FLEET_API_URL: 'fleet:8080' })).toThrow(
      new CliUsageError('ENVOY_FLEET_API_URL: expected an http:// or https:// URL, got "fleet:8080"'),
    );
    expect(() => resolveConfig({ apiUrl: 'ftp://fleet' }, {})).toThrow(
      new CliUsageError('--api-url: expected an http:// or https:// URL, got "ftp://fleet"'),
    );
  });
});
