import { runMigrations } from '@envoy-fleet/db';
import { EnvError, type RunningApp } from '@envoy-fleet/telemetry';
import { createTestDatabase, type TestDatabase } from '@envoy-fleet/test-kit/database';
import { startNatsServer, type PrivateNatsServer } from '@envoy-fleet/test-kit/nats';
import { freePort } from '@envoy-fleet/test-kit/net';
import { bootstrap } from '../src/bootstrap';

describe('webhook-dispatcher bootstrap', () => {
  let database: TestDatabase;
  let nats: PrivateNatsServer;
  let sut: RunningApp;

  beforeAll(async () => {
    database = await createTestDatabase({ migrate: runMigrations, label: 'webhook-bootstrap' });
    nats = await startNatsServer();
    sut = await bootstrap({
      env: {
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: await freePort(),
        LOG_LEVEL: 'error',
        DATABASE_URL: database.appUrl,
        NATS_URL: nats.url,
      },
    });
  });

  afterAll(async () => {
    await sut.close();
    await nats.dispose();
    await database.drop();
  });

  it('is ready once PostgreSQL and NATS answer', async () => {
    const response = await fetch(`${sut.url}/readyz`);

    expect(await response.json()).toEqual({
      status: 'ready',
      checks: { postgres: { status: 'up' }, 'event-bus': { status: 'up' } },
    });
    expect(response.status).toBe(200);
  });

  it('reports PostgreSQL down, with the reason, when its database goes away', async () => {
    await database.drop();

    const response = await fetch(`${sut.url}/readyz`);
    const report = (await response.json()) as { checks: Record<string, { status: string; error?: string }> };

    expect(response.status).toBe(503);
    expect(report.checks.postgres).toEqual({ status: 'down', error: expect.any(String) });
    expect(report.checks['event-bus']).toEqual({ status: 'up' });
  });
});

describe('webhook-dispatcher environment', () => {
  it('names every missing or wrong variable at once', async () => {
    const starting = bootstrap({ env: { HTTP_HOST: 'not a host', LOG_LEVEL: 'loud' } });

    await expect(starting).rejects.toThrow(EnvError);
    await expect(starting).rejects.toThrow(
      [
        'invalid environment:',
        '  HTTP_HOST: expected a host name or an IP address, got "not a host"',
        '  LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, got "loud"',
        '  DATABASE_URL: required (PostgreSQL URL of the app role, e.g. postgres://envoy_fleet_app@127.0.0.1:5432/envoy_fleet)',
        '  NATS_URL: required (NATS server URL (JetStream enabled), e.g. nats://127.0.0.1:4222)',
      ].join('\n'),
    );
  });

  it('names a wrong signing key, loopback switch and denied network', async () => {
    const starting = bootstrap({
      env: {
        DATABASE_URL: 'postgres://envoy_fleet_app@127.0.0.1:5432/envoy_fleet',
        NATS_URL: 'nats://127.0.0.1:4222',
        SECRET_ENCRYPTION_KEY: 'c2hvcnQ=',
        WEBHOOK_ALLOW_LOOPBACK: 'yes',
        WEBHOOK_DENY_CIDRS: '10.0.0.0/8,192.168.0.0',
      },
    });

    await expect(starting).rejects.toThrow(
      [
        'invalid environment:',
        '  SECRET_ENCRYPTION_KEY: expected 32 bytes encoded in base64 (openssl rand -base64 32)',
        '  WEBHOOK_ALLOW_LOOPBACK: expected true or false, got "yes"',
        '  WEBHOOK_DENY_CIDRS: expected CIDRs such as 10.0.0.0/8 or fc00::/7, got "192.168.0.0"',
      ].join('\n'),
    );
  });
});
