import { randomUUID } from 'node:crypto';
import { createEvent, type DomainEvent } from '@envoy-fleet/domain';
import { appendEvents, createDataSource, DEFAULT_DATABASE_ROLES, withSystem } from '@envoy-fleet/db';
import { JetStreamEventBus, type Subscription } from '@envoy-fleet/messaging';
import { EnvError, type RunningApp } from '@envoy-fleet/telemetry';
import { createTestDatabase, type TestDatabase } from '@envoy-fleet/test-kit/database';
import { startNatsServer, type PrivateNatsServer } from '@envoy-fleet/test-kit/nats';
import { freePort } from '@envoy-fleet/test-kit/net';
import { bootstrap } from '../src/bootstrap';

/** An empty database: the api is to migrate it itself. */
const leaveEmpty = () => Promise.resolve({ roles: DEFAULT_DATABASE_ROLES });

describe('api bootstrap', () => {
  let database: TestDatabase;
  let nats: PrivateNatsServer;
  let sut: RunningApp;

  beforeAll(async () => {
    database = await createTestDatabase({ migrate: leaveEmpty, label: 'api-bootstrap' });
    nats = await startNatsServer();
    sut = await bootstrap({
      env: {
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: await freePort(),
        LOG_LEVEL: 'error',
        DATABASE_URL: database.appUrl,
        DATABASE_SYSTEM_URL: database.systemUrl,
        DB_MIGRATE_ON_START: 'true',
        DATABASE_ADMIN_URL: database.adminUrl,
        NATS_URL: nats.url,
      },
    });
  });

  afterAll(async () => {
    await sut.close();
    await nats.dispose();
    await database.drop();
  });

  it('migrates the empty database and is ready once PostgreSQL and NATS answer', async () => {
    const response = await fetch(`${sut.url}/readyz`);

    expect(await response.json()).toEqual({
      status: 'ready',
      checks: { postgres: { status: 'up' }, 'event-bus': { status: 'up' } },
    });
    expect(response.status).toBe(200);
  });

  it('relays what is written to the outbox to the event bus', async () => {
    const observer = JetStreamEventBus.create({ servers: nats.url, name: 'api-test-observer' });
    const received: DomainEvent[] = [];
    let subscription: Subscription | undefined;
    const delivered = new Promise<void>((resolve) => {
      void observer
        .consume({
          types: ['tenant.created'],
          durable: 'api-test-observer',
          handler: (event) => {
            received.push(event);
            resolve();
            return Promise.resolve();
          },
        })
        .then((started) => (subscription = started));
    });
    const writer = await createDataSource({ url: database.systemUrl }).initialize();
    const event = createEvent('tenant.created', {
      id: randomUUID(),
      tenantId: null,
      aggregateId: randomUUID(),
      payload: { tenantId: randomUUID(), name: 'acme' },
    });

    try {
      await withSystem(writer, { actor: 'api-bootstrap-test' }, (manager) => appendEvents(manager, [event]));
      await delivered;
    } finally {
      await subscription?.stop();
      await observer.close();
      await writer.destroy();
    }

    expect(received.map((each) => each.id)).toEqual([event.id]);
  });
});

describe('api environment', () => {
  it('names every missing or wrong variable at once', async () => {
    const starting = bootstrap({ env: { DB_MIGRATE_ON_START: 'true', GRPC_PORT: '8o81' } });

    await expect(starting).rejects.toThrow(EnvError);
    await expect(starting).rejects.toThrow(
      [
        'invalid environment:',
        '  GRPC_PORT: expected an integer between 1 and 65535, got "8o81"',
        '  DATABASE_URL: required (PostgreSQL URL of the app role, e.g. postgres://envoy_fleet_app@127.0.0.1:5432/envoy_fleet)',
        '  NATS_URL: required (NATS server URL (JetStream enabled), e.g. nats://127.0.0.1:4222)',
        '  DATABASE_ADMIN_URL: required when DB_MIGRATE_ON_START=true (PostgreSQL URL of the role that owns the schema, used to migrate, e.g. postgres://postgres@127.0.0.1:5432/envoy_fleet)',
      ].join('\n'),
    );
  });

  it('requires DATABASE_ADMIN_URL when DB_MIGRATE_ON_START=true', async () => {
    const starting = bootstrap({
      env: {
        DB_MIGRATE_ON_START: 'true',
        DATABASE_URL: 'postgres://envoy_fleet_app@127.0.0.1:5432/envoy_fleet',
        NATS_URL: 'nats://127.0.0.1:4222',
      },
    });

    await expect(starting).rejects.toThrow(
      'DATABASE_ADMIN_URL: required when DB_MIGRATE_ON_START=true (PostgreSQL URL of the role that owns the schema',
    );
  });
});
