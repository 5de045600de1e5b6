import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { appendEvents, createDataSource, runMigrations, withTenant } from '@envoy-fleet/db';
import { createEvent, type DomainEvent } from '@envoy-fleet/domain';
import { createTestDatabase, type TestDatabase } from '@envoy-fleet/test-kit/database';
import { startNatsServer } from '@envoy-fleet/test-kit/nats';
import { InProcessEventBus, JetStreamEventBus, OutboxRelay, type OutboxRelayOptions } from '../src';
import { RecordingLogger } from './support/recording-logger';
import { readStream } from './support/stream-reader';
import { activeTraceId, installW3CTracing } from './support/tracing';
import { waitFor } from './support/wait-for';

/** Long enough that only a NOTIFY can wake the relay within a test. */
const NO_FALLBACK_MS = 600_000;

describe(OutboxRelay.name, () => {
  let database: TestDatabase;
  let writer: ReturnType<typeof createDataSource>;
  let admin: Client;
  const relays: OutboxRelay[] = [];
  const tenantId = randomUUID();

  beforeAll(async () => {
    installW3CTracing();
    database = await createTestDatabase({ migrate: runMigrations, label: 'outbox-relay' });
    writer = createDataSource({ url: database.appUrl, applicationName: 'outbox-relay-spec' });
    await writer.initialize();
    admin = new Client({ connectionString: database.adminUrl });
    await admin.connect();
  });

  afterAll(async () => {
    await writer.destroy();
    await admin.end();
    await database.drop();
  });

  beforeEach(async () => {
    await admin.query('DELETE FROM outbox');
  });

  afterEach(async () => {
    await Promise.all(relays.splice(0).map((relay) => relay.stop()));
  });

  function startRelay(options: Omit<OutboxRelayOptions, 'databaseUrl'>): OutboxRelay {
    const relay = new OutboxRelay({ databaseUrl: database.systemUrl, ...options });
    relays.push(relay);
    relay.start();
    return relay;
  }

  /** Writes `rounds` events for each aggregate, one transaction per round, as the api would. */
  async function writeEvents(
    aggregates: readonly string[],
    rounds: number,
    headers?: Record<string, string>,
  ) {
    const written: DomainEvent[] = [];
    for (let round = 0; round < rounds; round += 1) {
      const events = aggregates.map((configId) =>
        createEvent('config.updated', {
          id: randomUUID(),
          tenantId,
          aggregateId: configId,
          payload: { configId, name: `r${round}` },
        }),
      );
      await withTenant(writer, { tenantId, actor: 'user:outbox-relay-spec' }, (manager) =>
        appendEvents(manager, events, { headers }),
      );
      written.push(...events);
    }
    return written;
  }

  async function unpublishedRows(): Promise<number> {
    const { rows } = await admin.query<{ count: string }>(
      'SELECT count(*) FROM outbox WHERE published_at IS NULL',
    );
    return Number(rows[0]!.count);
  }

  const idsOf = (events: readonly DomainEvent[], aggregateId?: string) =>
    events
      .filter((event) => aggregateId === undefined || event.aggregateId === aggregateId)
      .map((event) => event.id);

  it('publishes events written while NATS is down once each, in order per aggregate, after NATS returns', async () => {
    const nats = await startNatsServer();
    const bus = JetStreamEventBus.create({
      servers: nats.url,
      name: 'outbox-proof',
      publishTimeoutMs: 1_000,
    });
    try {
      await bus.provisionStreams();
      const logger = new RecordingLogger();
      const relay = startRelay({ publisher: bus, logger });
      await waitFor('the relay to become active', () => relay.state === 'active');

      await nats.stop();
      const aggregates = ['config-a', 'config-b', 'config-c', 'config-d'];
      const written = await writeEvents(aggregates, 5);
      await waitFor('a failed publish', () => logger.has('cannot publish an outbox event'));
      expect(await unpublishedRows()).toBe(written.length);

      await nats.start();
      await waitFor('every row to be published', async () => (await unpublishedRows()) === 0, 30_000);

      const stored = await readStream(nats.url, 'EVENTS');
      expect([...idsOf(stored)].sort()).toEqual([...idsOf(written)].sort());
      for (const aggregate of aggregates) expect(idsOf(stored, aggregate)).toEqual(idsOf(written, aggregate));

      // As if the relay had died after publishing but before marking: everything goes out again, twice at once.
      await relay.stop();
      await admin.query('UPDATE outbox SET published_at = NULL');
      const again = [startRelay({ publisher: bus }), startRelay({ publisher: bus })];
      await waitFor('every row to be published again', async () => (await unpublishedRows()) === 0, 30_000);

      expect(again.map((candidate) => candidate.state).sort()).toEqual(['active', 'standby']);
      expect(idsOf(await readStream(nats.url, 'EVENTS'))).toEqual(idsOf(stored));
    } finally {
      await Promise.all(relays.splice(0).map((relay) => relay.stop()));
      await bus.close();
      await nats.dispose();
    }
  });

  describe('with the in-process bus', () => {
    let bus: InProcessEventBus;
    let received: DomainEvent[];
    let traceIds: Array<string | undefined>;

    beforeEach(async () => {
      bus = new InProcessEventBus();
      received = [];
      traceIds = [];
      await bus.consume({
        durable: 'observer',
        types: ['config.updated'],
        handler: (event) => {
          received.push(event);
          traceIds.push(activeTraceId());
          return Promise.resolve();
        },
      });
    });

    afterEach(async () => {
      await bus.close();
    });

    it('wakes on NOTIFY and publishes in the trace context the rows were written in', async () => {
      const relay = startRelay({ publisher: bus, fallbackIntervalMs: NO_FALLBACK_MS });
      await waitFor('the relay to become active', () => relay.state === 'active');
      const traceId = '0af7651916cd43dd8448eb211c80319c';

      const written = await writeEvents(['config-a', 'config-b'], 3, {
        traceparent: `00-${traceId}-b7ad6b7169203331-01`,
      });

      await waitFor('every event', () => received.length === written.length);
      expect(idsOf(received)).toEqual(idsOf(written));
      expect(new Set(traceIds)).toEqual(new Set([traceId]));
      expect(await unpublishedRows()).toBe(0);
    });

    it('publishes in batches until the outbox is empty', async () => {
      const written = await writeEvents(['config-a', 'config-b', 'config-c'], 9);

      startRelay({ publisher: bus, batchSize: 4 });

      await waitFor('every event', () => received.length === written.length);
      expect(idsOf(received)).toEqual(idsOf(written));
    });

    it('keeps one relay active while another stands by, which takes over when the first stops', async () => {
      const first = startRelay({ publisher: bus, fallbackIntervalMs: NO_FALLBACK_MS });
      await waitFor('the first relay to become active', () => first.state === 'active');
      const second = startRelay({ publisher: bus, fallbackIntervalMs: NO_FALLBACK_MS });
      await waitFor('the second relay to stand by', () => second.state === 'standby');
      const before = await writeEvents(['config-a'], 2);
      await waitFor('the events written before the hand-over', () => received.length === before.length);

      await first.stop();
      await waitFor('the second relay to take over', () => second.state === 'active');
      const after = await writeEvents(['config-a'], 2);

      await waitFor(
        'the events written after the hand-over',
        () => received.length === before.length + after.length,
      );
      expect(idsOf(received)).toEqual(idsOf([...before, ...after]));
    });

    it('listens again after its database connection is cut', async () => {
      const relay = startRelay({ publisher: bus, fallbackIntervalMs: NO_FALLBACK_MS });
      await waitFor('the relay to become active', () => relay.state === 'active');
      const [cut] = await relayBackends();

      await admin.query('SELECT pg_terminate_backend($1)', [cut]);
      await waitFor(
        'a new relay connection',
        async () => relay.state === 'active' && (await relayBackends()).some((pid) => pid !== cut),
      );
      const written = await writeEvents(['config-a'], 2);

      await waitFor('the events written after the cut', () => received.length === written.length);
      expect(idsOf(received)).toEqual(idsOf(written));
    });
  });

  async function relayBackends(): Promise<number[]> {
    const { rows } = await admin.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name = 'envoy-fleet-outbox-relay'`,
      [database.name],
    );
    return rows.map((row) => row.pid);
  }
});
