import { runMigrations } from '@envoy-fleet/db';
import { EnvError, type RunningApp } from '@envoy-fleet/telemetry';
import { createTestDatabase, type TestDatabase } from '@envoy-fleet/test-kit/database';
import { startNatsServer, type PrivateNatsServer } from '@envoy-fleet/test-kit/nats';
import { TEST_REDIS_URL, uniqueRedisPrefix } from '@envoy-fleet/test-kit/redis';
import { freePort } from '@envoy-fleet/test-kit/net';
import { bootstrap } from '../src/bootstrap';

describe('fleet-manager bootstrap', () => {
  let database: TestDatabase;
  let nats: PrivateNatsServer;
  let sut: RunningApp;

  beforeAll(async () => {
    database = await createTestDatabase({ migrate: runMigrations, label: 'fleet-manager-bootstrap' });
    nats = await startNatsServer();
    sut = await bootstrap({
      env: {
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: await freePort(),
        LOG_LEVEL: 'error',
        DATABASE_URL: database.appUrl,
        NATS_URL: nats.url,
        REDIS_URL: TEST_REDIS_URL,
        REDIS_KEY_PREFIX: uniqueRedisPrefix('fleet-manager-bootstrap'),
      },
    });
  });

  afterAll(async () => {
    await sut.close();
    await nats.dispose();
    await database.drop();
  });

  it('is ready once PostgreSQL, Redis and NATS answer', async () => {
    const response = await fetch(`${sut.url}/readyz`);

    expect(await response.json()).toEqual({
      status: 'ready',
      checks: {
        postgres: { status: 'up' },
        'snapshot-store': { status: 'up' },
        'event-bus': { status: 'up' },
      },
    });
    expect(response.status).toBe(200);
  });
});

describe('fleet-manager environment', () => {
  it('names every missing or wrong variable at once', async () => {
    const starting = bootstrap({
      env: { DATABASE_URL: 'mysql://db/fleet', REDIS_URL: 'redis://127.0.0.1:6379' },
    });

    await expect(starting).rejects.toThrow(EnvError);
    await expect(starting).rejects.toThrow(
      [
        'invalid environment:',
        '  DATABASE_URL: expected a URL starting with postgres:// or postgresql://, got "mysql://db/fleet"',
        '  NATS_URL: required (NATS server URL (JetStream enabled), e.g. nats://127.0.0.1:4222)',
      ].join('\n'),
    );
  });

  it('does not start when PostgreSQL cannot be reached, and says where it tried', async () => {
    const starting = bootstrap({
      env: {
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: await freePort(),
        LOG_LEVEL: 'fatal',
        DATABASE_URL: `postgres://envoy_fleet_app@127.0.0.1:${await freePort()}/envoy_fleet`,
        NATS_URL: 'nats://127.0.0.1:4222',
        REDIS_URL: TEST_REDIS_URL,
      },
    });

    await expect(starting).rejects.toThrow(/ECONNREFUSED 127\.0\.0\.1:\d+/);
  });
});
