import { EnvError } from '@envoy-fleet/telemetry/env';
import { launchModeFrom } from './launcher-env';

const services = {
  DATABASE_URL: 'postgres://envoy_fleet_app@127.0.0.1:5432/envoy_fleet',
  NATS_URL: 'nats://127.0.0.1:4222',
  REDIS_URL: 'redis://127.0.0.1:6379',
};

describe(launchModeFrom.name, () => {
  it('runs embedded when no service URL is set, on port 54329 by default', () => {
    expect(launchModeFrom({})).toEqual({
      kind: 'embedded',
      logLevel: 'info',
      postgresPort: 54329,
      postgresDataDir: undefined,
    });
  });

  it('runs the apps as processes when all three service URLs are set', () => {
    expect(launchModeFrom(services)).toEqual({ kind: 'processes', logLevel: 'info' });
  });

  it('names the missing ones when only some are set', () => {
    const sut = (): unknown => launchModeFrom({ NATS_URL: services.NATS_URL });

    expect(sut).toThrow(EnvError);
    expect(sut).toThrow(
      'DATABASE_URL: required because NATS_URL is set (set DATABASE_URL, NATS_URL and REDIS_URL to run on your services, or none of them for the embedded default)',
    );
    expect(sut).toThrow(/REDIS_URL: required because NATS_URL is set/);
  });

  it('checks the URLs it is given', () => {
    expect(() => launchModeFrom({ ...services, REDIS_URL: 'localhost:6379' })).toThrow(
      'REDIS_URL: expected a URL starting with redis:// or rediss://, got "localhost:6379"',
    );
  });
});
