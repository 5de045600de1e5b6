import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { context } from '@opentelemetry/api';
import { createEvent, type DomainEvent, type EventType } from '@envoy-fleet/domain';
import type { AgentCommand, DeadLetter, EventBus } from '../src';
import { activeTraceId, contextInTrace, installW3CTracing } from './support/tracing';
import { waitFor } from './support/wait-for';

/** Two replicas of one app: two connections on JetStream, the same bus in process. */
export interface BusReplicas {
  readonly a: EventBus;
  readonly b: EventBus;
  dispose(): Promise<void>;
}

const configEvent = (type: 'config.created' | 'config.updated' | 'config.deleted', configId = 'config-1') =>
  createEvent(type, {
    id: randomUUID(),
    tenantId: randomUUID(),
    aggregateId: configId,
    payload: { configId, name: 'edge' },
  });

const proxyChanged = () =>
  createEvent('proxy.changed', {
    id: randomUUID(),
    tenantId: null,
    aggregateId: 'proxy-1',
    payload: { proxyId: 'proxy-1', nodeId: 'edge-1', change: 'updated' },
  });

const snapshotUpdated = () =>
  createEvent('snapshot.updated', {
    id: randomUUID(),
    tenantId: null,
    aggregateId: 'binding:edge',
    payload: { servingKeys: ['binding:edge'] },
  });

const command = (kind: string): Omit<AgentCommand, 'nodeId'> => ({
  id: randomUUID(),
  kind,
  payload: { proxyId: 'proxy-1' },
  issuedAt: new Date().toISOString(),
});

/** The behaviour every EventBus shares; `open` gives fresh, empty streams each time. */
export function eventBusContract(open: () => Promise<BusReplicas>): void {
  let replicas: BusReplicas;
  let a: EventBus;
  let b: EventBus;

  beforeAll(() => {
    installW3CTracing();
  });

  beforeEach(async () => {
    replicas = await open();
    ({ a, b } = replicas);
  });

  afterEach(async () => {
    await replicas.dispose();
  });

  async function collect<T extends EventType>(
    bus: EventBus,
    durable: string,
    types: T[],
  ): Promise<DomainEvent[]> {
    const received: DomainEvent[] = [];
    await bus.consume({ durable, types, handler: (event) => Promise.resolve(void received.push(event)) });
    return received;
  }

  it('delivers a published event to a durable consumer', async () => {
    const received = await collect(a, 'fleet-manager', ['config.updated']);
    const event = configEvent('config.updated');

    await a.publish(event);

    await waitFor('the event', () => received.length === 1);
    expect(received).toEqual([event]);
  });

  it('gives each event to one member of a group, and to every group', async () => {
    const workersOnA = await collect(a, 'workers', ['config.updated']);
    const workersOnB = await collect(b, 'workers', ['config.updated']);
    const auditors = await collect(b, 'auditors', ['config.updated']);
    const events = Array.from({ length: 40 }, () => configEvent('config.updated'));

    for (const event of events) await a.publish(event);

    const ids = events.map((event) => event.id).sort();
    await waitFor(
      'every event in both groups',
      () => workersOnA.length + workersOnB.length >= 40 && auditors.length >= 40,
    );
    expect([...workersOnA, ...workersOnB].map((event) => event.id).sort()).toEqual(ids);
    expect(auditors.map((event) => event.id).sort()).toEqual(ids);
  });

  it('filters by event types and by subject', async () => {
    const configOnly = await collectBySubject(a, 'config-watch', 'events.config.>');
    const listed = await collect(a, 'listed', ['config.deleted', 'proxy.changed']);

    for (const event of [configEvent('config.updated'), proxyChanged(), configEvent('config.deleted')]) {
      await a.publish(event);
    }
    await a.publish(configEvent('config.created'));

    await waitFor('the last config event', () => configOnly.includes('config.created'));
    await waitFor('both listed types', () => listed.length === 2);
    expect(configOnly).toEqual(['config.updated', 'config.deleted', 'config.created']);
    expect(listed.map((event) => event.type)).toEqual(['proxy.changed', 'config.deleted']);
  });

  it('starts a new group at the events published after it joins, and keeps its place while stopped', async () => {
    await a.publish(configEvent('config.updated'));
    const received: string[] = [];
    const handler = (event: DomainEvent) => Promise.resolve(void received.push(event.id));
    const first = await a.consume({ durable: 'late', types: ['config.updated'], handler });
    const later = configEvent('config.updated');
    await a.publish(later);
    await waitFor('the later event', () => received.length === 1);

    await first.stop();
    const whileStopped = configEvent('config.updated');
    await a.publish(whileStopped);
    await b.consume({ durable: 'late', types: ['config.updated'], handler });

    await waitFor('the event published while stopped', () => received.length === 2);
    expect(received).toEqual([later.id, whileStopped.id]);
  });

  it('redelivers an event whose handler failed', async () => {
    const attempts: number[] = [];
    await a.consume({
      durable: 'retrying',
      types: ['config.updated'],
      handler: (_, delivery) => {
        attempts.push(delivery.attempt);
        return delivery.attempt === 1 ? Promise.reject(new Error('not yet')) : Promise.resolve();
      },
    });

    await a.publish(configEvent('config.updated'));

    await waitFor('the second attempt', () => attempts.length === 2);
    expect(attempts).toEqual([1, 2]);
  });

  it('redelivers an event whose handler runs past the ack wait', async () => {
    const attempts: number[] = [];
    const handler = async (_: DomainEvent, delivery: { attempt: number }) => {
      attempts.push(delivery.attempt);
      if (delivery.attempt === 1) await sleep(2_500);
    };
    await a.consume({ durable: 'slow', types: ['config.updated'], ackWaitMs: 1_000, handler });
    await b.consume({ durable: 'slow', types: ['config.updated'], ackWaitMs: 1_000, handler });

    await a.publish(configEvent('config.updated'));

    await waitFor('a second delivery', () => attempts.includes(2));
  });

  it('dead-letters an event after maxDeliver failed attempts', async () => {
    let calls = 0;
    await a.consume({
      durable: 'failing',
      types: ['config.updated'],
      maxDeliver: 3,
      handler: () => {
        calls += 1;
        return Promise.reject(new Error('cannot apply'));
      },
    });
    const event = configEvent('config.updated');

    await a.publish(event);
    await waitFor('three attempts', () => calls === 3);
    const deadLetters: DeadLetter[] = [];
    await b.consumeDeadLetters({
      durable: 'ops',
      handler: (deadLetter) => Promise.resolve(void deadLetters.push(deadLetter)),
    });

    await waitFor('the dead letter', () => deadLetters.length === 1);
    expect(deadLetters[0]).toMatchObject({
      consumer: 'failing',
      deliveries: 3,
      error: 'Error: cannot apply',
    });
    expect(deadLetters[0]!.subject).toMatch(/(^|\.)events\.config\.updated$/);
    expect(JSON.parse(deadLetters[0]!.body)).toEqual(event);
    expect(calls).toBe(3);
  });

  it('drops a repeated event id', async () => {
    const received = await collect(a, 'dedup', ['config.updated']);
    const event = configEvent('config.updated');
    const marker = configEvent('config.updated');

    await a.publish(event);
    await b.publish(event);
    await a.publish(marker);

    await waitFor('the marker', () => received.some((candidate) => candidate.id === marker.id));
    expect(received.map((candidate) => candidate.id)).toEqual([event.id, marker.id]);
  });

  it('fans a broadcast event out to every subscriber', async () => {
    const onA: DomainEvent[] = [];
    const onB: DomainEvent[] = [];
    await a.subscribe('snapshot.updated', (event) => Promise.resolve(void onA.push(event)));
    await b.subscribe('snapshot.updated', (event) => Promise.resolve(void onB.push(event)));
    const event = snapshotUpdated();

    await a.publish(event);

    await waitFor('both subscribers', () => onA.length === 1 && onB.length === 1);
    expect(onA).toEqual([event]);
    expect(onB).toEqual([event]);
  });

  it('refuses to consume a broadcast event or subscribe to a durable one', async () => {
    await expect(
      a.consume({ durable: 'x', types: ['snapshot.updated'], handler: () => Promise.resolve() }),
    ).rejects.toThrow('is a broadcast event');
    await expect(a.subscribe('config.updated', () => Promise.resolve())).rejects.toThrow(
      'is a durable event',
    );
  });

  it('keeps commands for an agent that is offline and delivers them in order when it starts', async () => {
    await a.sendCommand('vm-2', command('create'));
    for (const kind of ['create', 'start', 'stop']) await a.sendCommand('vm-1', command(kind));
    const received: AgentCommand[] = [];
    const handler = (received_: AgentCommand) => Promise.resolve(void received.push(received_));

    const agent = await b.consumeCommands('vm-1', handler);
    await waitFor('three commands', () => received.length === 3);
    await agent.stop();
    await a.sendCommand('vm-1', command('remove'));
    await b.consumeCommands('vm-1', handler);

    await waitFor('the command sent while stopped', () => received.length === 4);
    expect(received.map((received_) => received_.kind)).toEqual(['create', 'start', 'stop', 'remove']);
    expect(new Set(received.map((received_) => received_.nodeId))).toEqual(new Set(['vm-1']));
  });

  it('refuses a node id that cannot be part of a subject', async () => {
    await expect(a.sendCommand('vm.1', command('start'))).rejects.toThrow('node id "vm.1" is not valid');
    await expect(a.consumeCommands('vm 1', () => Promise.resolve())).rejects.toThrow(
      'node id "vm 1" is not valid',
    );
  });

  it('carries the trace context from publisher to handler', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const seen: Array<string | undefined> = [];
    const record = () => Promise.resolve(void seen.push(activeTraceId()));
    await b.consume({ durable: 'traced', types: ['config.updated'], handler: record });
    await b.subscribe('snapshot.updated', record);
    await b.consumeCommands('vm-1', record);

    await context.with(contextInTrace(traceId), async () => {
      await a.publish(configEvent('config.updated'));
      await a.publish(snapshotUpdated());
      await a.sendCommand('vm-1', command('start'));
    });

    await waitFor('three handler calls', () => seen.length === 3);
    expect(seen).toEqual([traceId, traceId, traceId]);
  });

  it('reports healthy while open and refuses work once closed', async () => {
    expect(await a.health()).toMatchObject({ healthy: true });

    await a.close();

    expect(await a.health()).toMatchObject({ healthy: false });
    await expect(a.publish(configEvent('config.updated'))).rejects.toThrow('closed');
    await expect(
      a.consume({ durable: 'late', types: ['config.updated'], handler: () => Promise.resolve() }),
    ).rejects.toThrow('closed');
  });
}

async function collectBySubject(bus: EventBus, durable: string, subject: string): Promise<EventType[]> {
  const received: EventType[] = [];
  await bus.consume({
    durable,
    subject,
    handler: (event) => Promise.resolve(void received.push(event.type)),
  });
  return received;
}
