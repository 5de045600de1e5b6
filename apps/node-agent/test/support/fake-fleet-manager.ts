import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type {
  AgentCommandKind,
  AgentCommandPayloadInputs,
  AgentCommandResult,
  DomainEvent,
  EventPayloads,
  LogChunk,
  NodeHeartbeat,
} from '@envoy-fleet/domain';
import { JetStreamEventBus, type Subscription } from '@envoy-fleet/messaging';

type DurableAgentEvent =
  'agent.registered' | 'agent.command.completed' | 'agent.container.changed' | 'agent.reconciled';

const WAIT_TIMEOUT_MS = 60_000;

/** Waits until `find` returns something, polling; fails with `what` after a minute. */
export async function waitFor<T>(
  what: string,
  find: () => T | undefined | Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + WAIT_TIMEOUT_MS;
  for (;;) {
    const found = await find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await sleep(100);
  }
}

/**
 * The sending side of the protocol as fleet-manager uses it, over a real JetStream: sends commands to
 * one node and records every report the agent publishes.
 */
export class FakeFleetManager {
  readonly events: DomainEvent[] = [];
  readonly heartbeats: NodeHeartbeat[] = [];
  readonly logChunks: LogChunk[] = [];
  private readonly subscriptions: Subscription[] = [];

  private constructor(
    readonly bus: JetStreamEventBus,
    readonly nodeId: string,
  ) {}

  static async start(natsUrl: string, nodeId: string): Promise<FakeFleetManager> {
    const bus = JetStreamEventBus.create({ servers: natsUrl, name: 'fake-fleet-manager' });
    await bus.provisionStreams();
    const sut = new FakeFleetManager(bus, nodeId);
    sut.subscriptions.push(
      await bus.consume({
        durable: `fake-fleet-manager-${randomUUID()}`,
        subject: 'events.agent.>',
        handler: (event) => {
          sut.events.push(event);
          return Promise.resolve();
        },
      }),
      await bus.subscribe('agent.heartbeat', (event) => {
        sut.heartbeats.push(event.payload);
        return Promise.resolve();
      }),
      await bus.subscribe('agent.logs', (event) => {
        sut.logChunks.push(event.payload);
        return Promise.resolve();
      }),
    );
    return sut;
  }

  async send<K extends AgentCommandKind>(
    kind: K,
    payload: AgentCommandPayloadInputs[K],
    id = randomUUID(),
    issuedAt = new Date().toISOString(),
  ): Promise<string> {
    await this.bus.sendCommand(this.nodeId, { id, kind, payload, issuedAt });
    return id;
  }

  /** Sends whatever kind and payload, as a sender with a bug might. */
  async sendUnchecked(kind: string, payload: unknown): Promise<string> {
    const id = randomUUID();
    await this.bus.sendCommand(this.nodeId, { id, kind, payload, issuedAt: new Date().toISOString() });
    return id;
  }

  /** Sends a command and waits for its result. */
  async execute<K extends AgentCommandKind>(
    kind: K,
    payload: AgentCommandPayloadInputs[K],
  ): Promise<AgentCommandResult> {
    return this.result(await this.send(kind, payload));
  }

  result(commandId: string): Promise<AgentCommandResult> {
    return waitFor(`the result of command ${commandId}`, () =>
      this.payloads('agent.command.completed').find((result) => result.commandId === commandId),
    );
  }

  payloads<T extends DurableAgentEvent>(type: T): EventPayloads[T][] {
    return this.events
      .filter((event): event is DomainEvent<T> => event.type === type && event.aggregateId === this.nodeId)
      .map((event) => event.payload);
  }

  /** The first report of `type` matching `predicate`, waiting for it. */
  report<T extends DurableAgentEvent>(
    type: T,
    predicate: (payload: EventPayloads[T]) => boolean,
  ): Promise<EventPayloads[T]> {
    return waitFor(`a ${type} report`, () => this.payloads(type).find(predicate));
  }

  async close(): Promise<void> {
    await Promise.all(this.subscriptions.map((subscription) => subscription.stop()));
    await this.bus.close();
  }
}
