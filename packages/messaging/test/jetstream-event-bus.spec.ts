import { randomUUID } from 'node:crypto';
import { DiscardPolicy, jetstreamManager, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { createEvent, type DomainEvent } from '@envoy-fleet/domain';
import { startNatsServer, TEST_NATS_URL } from '@envoy-fleet/test-kit/nats';
import { JetStreamEventBus } from '../src';
import { eventBusContract } from './event-bus.contract';
import { deleteNamespaceStreams, uniqueNamespace } from './support/jetstream-namespace';
import { waitFor } from './support/wait-for';

const configEvent = (type: 'config.updated' | 'config.deleted') =>
  createEvent(type, {
    id: randomUUID(),
    tenantId: null,
    aggregateId: 'config-1',
    payload: { configId: 'config-1', name: 'edge' },
  });

describe(JetStreamEventBus.name, () => {
  eventBusContract(async () => {
    const namespace = uniqueNamespace();
    const a = JetStreamEventBus.create({ servers: TEST_NATS_URL, name: 'contract-a', namespace });
    const b = JetStreamEventBus.create({ servers: TEST_NATS_URL, name: 'contract-b', namespace });
    await Promise.all([a.provisionStreams(), b.provisionStreams()]);
    return {
      a,
      b,
      dispose: async () => {
        await Promise.all([a.close(), b.close()]);
        await deleteNamespaceStreams(TEST_NATS_URL, namespace);
      },
    };
  });

  describe('provisionStreams', () => {
    const namespace = uniqueNamespace();

    afterAll(async () => {
      await deleteNamespaceStreams(TEST_NATS_URL, namespace);
    });

    it('creates the three streams, and brings a stream with other settings back to its own', async () => {
      const connection = await connect({ servers: TEST_NATS_URL });
      const manager = await jetstreamManager(connection);
      await manager.streams.add({
        name: `${namespace}_EVENTS`,
        subjects: [`${namespace}.events.>`],
        max_age: nanos(3_600_000),
        duplicate_window: nanos(60_000),
      });
      const sut = JetStreamEventBus.create({ servers: TEST_NATS_URL, name: 'provisioning', namespace });

      try {
        await Promise.all([sut.provisionStreams(), sut.provisionStreams()]);
        await sut.provisionStreams();

        const events = (await manager.streams.info(`${namespace}_EVENTS`)).config;
        const commands = (await manager.streams.info(`${namespace}_AGENT_COMMANDS`)).config;
        const deadLetters = (await manager.streams.info(`${namespace}_DEADLETTER`)).config;
        expect(events).toMatchObject({
          subjects: [`${namespace}.events.>`],
          storage: StorageType.File,
          retention: RetentionPolicy.Limits,
          discard: DiscardPolicy.Old,
          max_age: nanos(7 * 24 * 3_600_000),
          duplicate_window: nanos(120_000),
        });
        expect(commands).toMatchObject({
          subjects: [`${namespace}.agent.*.commands`],
          retention: RetentionPolicy.Workqueue,
        });
        expect(deadLetters).toMatchObject({
          subjects: [`${namespace}.deadletter.>`],
          storage: StorageType.File,
        });
      } finally {
        await sut.close();
        await connection.close();
      }
    });

    it('refuses a duplicate window shorter than two minutes', async () => {
      const sut = JetStreamEventBus.create({
        servers: TEST_NATS_URL,
        name: 'provisioning',
        namespace,
        streams: { duplicateWindowMs: 1_000 },
      });
      try {
        await expect(sut.provisionStreams()).rejects.toThrow(
          'duplicateWindowMs must be at least 120000, got 1000',
        );
      } finally {
        await sut.close();
      }
    });
  });

  it("keeps a durable consumer's place when an app restarts with more event types", async () => {
    const namespace = uniqueNamespace();
    const sut = JetStreamEventBus.create({ servers: TEST_NATS_URL, name: 'refilter', namespace });
    try {
      await sut.provisionStreams();
      const received: string[] = [];
      const handler = (event: DomainEvent) => Promise.resolve(void received.push(event.id));
      const before = await sut.consume({ durable: 'app', types: ['config.updated'], handler });
      const handledBefore = configEvent('config.updated');
      await sut.publish(handledBefore);
      await waitFor('the first event', () => received.length === 1);
      await before.stop();
      const updatedWhileStopped = configEvent('config.updated');
      await sut.publish(updatedWhileStopped);

      await sut.consume({ durable: 'app', types: ['config.updated', 'config.deleted'], handler });
      const deletedAfter = configEvent('config.deleted');
      await sut.publish(deletedAfter);

      await waitFor('the event published after the restart', () => received.includes(deletedAfter.id));
      expect(received).toEqual([handledBefore.id, updatedWhileStopped.id, deletedAfter.id]);
    } finally {
      await sut.close();
      await deleteNamespaceStreams(TEST_NATS_URL, namespace);
    }
  });

  it('reports a NATS outage, fails publishing fast during it, and resumes consuming after it', async () => {
    const nats = await startNatsServer();
    const sut = JetStreamEventBus.create({ servers: nats.url, name: 'outage' });
    try {
      await sut.provisionStreams();
      const received: string[] = [];
      await sut.consume({
        durable: 'app',
        types: ['config.updated'],
        handler: (event) => Promise.resolve(void received.push(event.id)),
      });

      await nats.stop();
      await waitFor('the bus to notice', async () => !(await sut.health()).healthy);
      expect((await sut.health()).detail).toContain(`disconnected from NATS at ${nats.url}`);
      await expect(sut.publish(configEvent('config.updated'))).rejects.toThrow('not connected to NATS');

      await nats.start();
      await waitFor('the bus to reconnect', async () => (await sut.health()).healthy, 30_000);
      const event = configEvent('config.updated');
      await sut.publish(event);

      await waitFor('the event published after the outage', () => received.includes(event.id), 30_000);
    } finally {
      await sut.close();
      await nats.dispose();
    }
  });

  it('stops trying to connect when closed', async () => {
    const nats = await startNatsServer();
    await nats.dispose();
    const sut = JetStreamEventBus.create({ servers: nats.url, name: 'never' });

    await sut.close();

    await expect(sut.ready()).rejects.toThrow('closed before it could connect to NATS');
  });

  it('keeps trying to connect until NATS is there', async () => {
    const nats = await startNatsServer();
    await nats.stop();
    const sut = JetStreamEventBus.create({ servers: nats.url, name: 'late' });
    try {
      expect((await sut.health()).detail).toBe(`connecting to NATS at ${nats.url}`);

      await nats.start();

      await sut.ready();
      expect((await sut.health()).healthy).toBe(true);
    } finally {
      await sut.close();
      await nats.dispose();
    }
  });
});
