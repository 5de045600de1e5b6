import { EVENT_CATALOGUE, type DomainEvent, type EventType } from '@envoy-fleet/domain';
import {
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { headers as createHeaders, type MsgHdrs, type NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  describeError,
  DEFAULT_ACK_WAIT_MS,
  handleDelivery,
  redeliveryDelayMs,
  resolvePolicy,
  type IncomingMessage,
  type ResolvedPolicy,
} from '../delivery';
import {
  silentLogger,
  type AgentCommand,
  type AgentCommandHandler,
  type BusHealth,
  type ConsumeOptions,
  type DeadLetter,
  type DeadLetterConsumeOptions,
  type Delivery,
  type EventBus,
  type EventOf,
  type MessagingLogger,
  type RedeliveryPolicy,
  type Subscription,
} from '../event-bus';
import { resolveEventFilter } from '../event-filter';
import { decodeAgentCommand, decodeDeadLetter, decodeEvent, encodeMessage } from '../message-codec';
import { assertValidName, SubjectNames } from '../subject-names';
import { withProcessSpan, withPublishSpan, type MessageHeaders } from '../trace-context';
import {
  provisionDurableConsumer,
  supportsMultipleFilters,
  type DurableConsumerDefinition,
} from './consumer-provisioning';
import { provisionStreams, streamDefinitions, type StreamLimits } from './stream-provisioning';

export interface JetStreamEventBusOptions {
  /** `nats://host:port`, one or several servers of a cluster. */
  readonly servers: string | readonly string[];
  /** The connection name the NATS server shows (the app's name). */
  readonly name: string;
  /** Prefixes every subject and stream, so that installations or test suites can share a server. */
  readonly namespace?: string;
  readonly streams?: StreamLimits;
  /** How long a durable publish waits for JetStream to confirm storage (default 5 s). */
  readonly publishTimeoutMs?: number;
  readonly logger?: MessagingLogger;
}

const MAX_RECONNECT_DELAY_MS = 5_000;
const HEALTH_TIMEOUT_MS = 2_000;
/** Messages a consumer pulls ahead of the one being handled. */
const EVENT_PREFETCH = 10;
const EVENT_MAX_ACK_PENDING = 1_000;

interface ConsumerSpec extends DurableConsumerDefinition {
  readonly policy: ResolvedPolicy;
  readonly prefetch: number;
  /** False for the dead-letter consumers: what they cannot decode is dropped with an error log. */
  readonly deadLetters: boolean;
  readonly process: (body: string, delivery: Delivery) => Promise<void>;
}

/**
 * The product's event bus: NATS JetStream for durable events, agent commands and dead letters, core
 * NATS for broadcast events. It connects in the background and reconnects forever with backoff;
 * publishing fails at once while disconnected (callers such as the outbox relay retry), while
 * consumers and subscriptions wait for the connection and resume after each reconnect.
 */
export class JetStreamEventBus implements EventBus {
  private readonly names: SubjectNames;
  private readonly logger: MessagingLogger;
  private readonly publishTimeoutMs: number;
  private readonly connection: Promise<NatsConnection>;
  private current: NatsConnection | undefined;
  private connected = false;
  private reconnectAttempts = 0;
  private manager: Promise<JetStreamManager> | undefined;
  private closing: Promise<void> | undefined;
  private readonly closed = new AbortController();
  private readonly running = new Set<Subscription>();

  private constructor(private readonly options: JetStreamEventBusOptions) {
    this.names = new SubjectNames(options.namespace);
    this.logger = options.logger ?? silentLogger;
    this.publishTimeoutMs = options.publishTimeoutMs ?? 5_000;
    this.connection = this.connectUntilConnected();
    this.connection.catch(() => undefined);
  }

  /** Starts connecting in the background; `ready()` resolves once the first connection is up. */
  static create(options: JetStreamEventBusOptions): JetStreamEventBus {
    return new JetStreamEventBus(options);
  }

  async ready(): Promise<void> {
    await this.connection;
  }

  async provisionStreams(): Promise<void> {
    await provisionStreams(
      await this.jetStreamManager(),
      streamDefinitions(this.names, this.options.streams),
    );
  }

  async publish(event: DomainEvent): Promise<void> {
    const definition = EVENT_CATALOGUE[event.type];
    if (definition === undefined)
      throw new Error(`cannot publish event ${event.id}: unknown type "${event.type}"`);
    const subject = this.names.event(event.type);
    const body = encodeMessage(event);
    try {
      const connection = this.connectedClient();
      await withPublishSpan(subject, event.id, async (traceHeaders) => {
        if (definition.delivery === 'broadcast') {
          connection.publish(subject, body, { headers: toNatsHeaders(traceHeaders) });
        } else {
          await this.publishDurable(connection, subject, body, event.id, traceHeaders);
        }
      });
    } catch (error) {
      throw new Error(
        `cannot publish ${event.type} event ${event.id} to ${subject}: ${describeError(error)}`,
        {
          cause: error,
        },
      );
    }
  }

  async consume<T extends EventType>(options: ConsumeOptions<T>): Promise<Subscription> {
    assertValidName('durable consumer name', options.durable);
    const policy = resolvePolicy(options);
    const filter = resolveEventFilter(this.names, options);
    const connection = await this.connection;
    // Before 2.10 a consumer has one filter: take every event and skip the unwanted ones here.
    const filterSubjects =
      filter.subjects.length > 1 && !supportsMultipleFilters(connection.info?.version)
        ? [this.names.allEvents()]
        : filter.subjects;
    return this.startConsumer({
      stream: this.names.stream('EVENTS'),
      durable: options.durable,
      filterSubjects,
      deliverPolicy: DeliverPolicy.New,
      ackWaitMs: policy.ackWaitMs,
      maxAckPending: EVENT_MAX_ACK_PENDING,
      policy,
      prefetch: EVENT_PREFETCH,
      deadLetters: true,
      process: async (body, delivery) => {
        const event = decodeEvent(body);
        if (filter.accepts(event.type)) await options.handler(event as EventOf<T>, delivery);
      },
    });
  }

  async subscribe<T extends EventType>(
    type: T,
    handler: (event: DomainEvent<T>) => Promise<void>,
  ): Promise<Subscription> {
    if (EVENT_CATALOGUE[type].delivery !== 'broadcast') {
      throw new Error(`"${type}" is a durable event: receive it with consume() and a durable consumer group`);
    }
    this.assertOpen();
    const subject = this.names.event(type);
    const connection = await this.connection;
    const natsSubscription = connection.subscribe(subject);
    // Once the server has the subscription, every event published from now on reaches it.
    await connection.flush();
    const loop = (async () => {
      for await (const message of natsSubscription) {
        const headers = fromNatsHeaders(message.headers);
        try {
          await withProcessSpan(subject, 'broadcast', headers, () =>
            handler(decodeEvent(message.string()) as DomainEvent<T>),
          );
        } catch (error) {
          this.logger.warn({ subject, err: describeError(error) }, 'a broadcast event handler failed');
        }
      }
    })();
    return this.track({
      stop: async () => {
        // Broadcasts are fire-and-forget: those not yet handled are dropped, as when a replica restarts.
        natsSubscription.unsubscribe();
        await loop;
      },
    });
  }

  async sendCommand(nodeId: string, command: Omit<AgentCommand, 'nodeId'>): Promise<void> {
    const subject = this.names.agentCommands(nodeId);
    const body = encodeMessage({ ...command, nodeId });
    try {
      const connection = this.connectedClient();
      await withPublishSpan(subject, command.id, (traceHeaders) =>
        this.publishDurable(connection, subject, body, command.id, traceHeaders),
      );
    } catch (error) {
      throw new Error(
        `cannot send ${command.kind} command ${command.id} to node ${nodeId}: ${describeError(error)}`,
        {
          cause: error,
        },
      );
    }
  }

  async consumeCommands(
    nodeId: string,
    handler: AgentCommandHandler,
    policy: RedeliveryPolicy = {},
  ): Promise<Subscription> {
    const resolved = resolvePolicy(policy);
    return await this.startConsumer({
      stream: this.names.stream('AGENT_COMMANDS'),
      durable: this.names.agentConsumer(nodeId),
      filterSubjects: [this.names.agentCommands(nodeId)],
      deliverPolicy: DeliverPolicy.All,
      ackWaitMs: resolved.ackWaitMs,
      // One command at a time, so that they run in the order they were sent.
      maxAckPending: 1,
      policy: resolved,
      prefetch: 1,
      deadLetters: true,
      process: (body, delivery) => handler(decodeAgentCommand(body), delivery),
    });
  }

  async consumeDeadLetters(options: DeadLetterConsumeOptions): Promise<Subscription> {
    assertValidName('durable consumer name', options.durable);
    return await this.startConsumer({
      stream: this.names.stream('DEADLETTER'),
      durable: options.durable,
      filterSubjects: [this.names.allDeadLetters()],
      deliverPolicy: DeliverPolicy.All,
      ackWaitMs: DEFAULT_ACK_WAIT_MS,
      maxAckPending: EVENT_MAX_ACK_PENDING,
      policy: { maxDeliver: null, ackWaitMs: DEFAULT_ACK_WAIT_MS },
      prefetch: EVENT_PREFETCH,
      deadLetters: false,
      process: (body, delivery) => options.handler(decodeDeadLetter(body), delivery),
    });
  }

  async health(): Promise<BusHealth> {
    const servers = this.serverList();
    if (this.closing) return { healthy: false, detail: 'the event bus is closed' };
    const connection = this.current;
    if (connection === undefined) return { healthy: false, detail: `connecting to NATS at ${servers}` };
    if (!this.connected)
      return { healthy: false, detail: `disconnected from NATS at ${servers}; reconnecting` };
    try {
      await Promise.race([
        connection.flush(),
        sleep(HEALTH_TIMEOUT_MS, undefined, { ref: false }).then(() => {
          throw new Error(`no answer within ${HEALTH_TIMEOUT_MS} ms`);
        }),
      ]);
      return { healthy: true, detail: `connected to NATS at ${connection.getServer()}` };
    } catch (error) {
      return {
        healthy: false,
        detail: `NATS at ${connection.getServer()} does not answer: ${describeError(error)}`,
      };
    }
  }

  close(): Promise<void> {
    this.closed.abort();
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    await Promise.all([...this.running].map((subscription) => subscription.stop()));
    const connection = this.current;
    if (connection === undefined || connection.isClosed()) return;
    if (this.connected) await connection.drain();
    else await connection.close();
  }

  private async connectUntilConnected(): Promise<NatsConnection> {
    for (let attempt = 1; ; attempt += 1) {
      if (this.closing) throw new Error('the event bus was closed before it could connect to NATS');
      try {
        const connection = await connect({
          servers:
            typeof this.options.servers === 'string' ? this.options.servers : [...this.options.servers],
          name: this.options.name,
          maxReconnectAttempts: -1,
          reconnectDelayHandler: () => this.nextReconnectDelay(),
          // A server that vanished without closing the socket is noticed within about a minute.
          pingInterval: 20_000,
          maxPingOut: 3,
          // Otherwise every request (each durable publish) builds two Error objects with stack traces up
          // front, in case it fails: most of the CPU of publishing thousands of events. Failures still say
          // what failed; publish() wraps them with the event and subject.
          noAsyncTraces: true,
        });
        if (this.closing) {
          await connection.close();
          continue;
        }
        this.current = connection;
        this.connected = true;
        void this.watchStatus(connection);
        return connection;
      } catch (error) {
        const delayMs = backoffDelay(attempt);
        this.logger.warn(
          { servers: this.serverList(), attempt, delayMs, err: describeError(error) },
          'cannot connect to NATS; retrying',
        );
        await sleep(delayMs, undefined, { signal: this.closed.signal }).catch(() => undefined);
      }
    }
  }

  private async watchStatus(connection: NatsConnection): Promise<void> {
    for await (const status of connection.status()) {
      switch (status.type) {
        case 'disconnect':
          this.connected = false;
          this.logger.warn({ server: status.server }, 'disconnected from NATS; reconnecting');
          break;
        case 'reconnect':
          this.connected = true;
          this.reconnectAttempts = 0;
          this.logger.info({ server: status.server }, 'reconnected to NATS');
          break;
        case 'close':
          this.connected = false;
          break;
        default:
          break;
      }
    }
  }

  private nextReconnectDelay(): number {
    this.reconnectAttempts += 1;
    return backoffDelay(this.reconnectAttempts);
  }

  private assertOpen(): void {
    if (this.closing) throw new Error('the event bus is closed');
  }

  private connectedClient(): NatsConnection {
    this.assertOpen();
    if (this.current === undefined || !this.connected) {
      throw new Error(`not connected to NATS at ${this.serverList()}`);
    }
    return this.current;
  }

  private async publishDurable(
    connection: NatsConnection,
    subject: string,
    body: string,
    messageId: string,
    headers: MessageHeaders,
  ): Promise<void> {
    await jetstream(connection).publish(subject, body, {
      msgID: messageId,
      headers: toNatsHeaders(headers),
      timeout: this.publishTimeoutMs,
    });
  }

  private jetStreamManager(): Promise<JetStreamManager> {
    this.manager ??= this.connection.then((connection) => jetstreamManager(connection));
    this.manager.catch(() => {
      this.manager = undefined;
    });
    return this.manager;
  }

  private async startConsumer(spec: ConsumerSpec): Promise<Subscription> {
    this.assertOpen();
    const manager = await this.jetStreamManager();
    await provisionDurableConsumer(manager, spec);
    const consumer = await manager.jetstream().consumers.get(spec.stream, spec.durable);
    const messages = await consumer.consume({ max_messages: spec.prefetch });
    let stopping = false;
    const loop = (async () => {
      try {
        for await (const message of messages) {
          // Messages pulled ahead are handed back at once rather than after the ack wait.
          if (stopping) message.nak();
          else await this.settle(message, spec);
        }
      } catch (error) {
        this.logger.error({ consumer: spec.durable, err: describeError(error) }, 'a consumer stopped');
      }
    })();
    void this.recreateWhenDeleted(messages.status(), manager, spec);
    return this.track({
      stop: async () => {
        stopping = true;
        await messages.close();
        await loop;
        // The server must know the pull requests have no listener before another member pulls,
        // or it may hand a message to them and leave it unacknowledged until the ack wait ends.
        if (this.connected) await this.current?.flush();
      },
    });
  }

  /** A consumer can vanish (deleted by hand, or a NATS server that lost its store): create it again. */
  private async recreateWhenDeleted(
    notifications: AsyncIterable<{ type: string }>,
    manager: JetStreamManager,
    spec: ConsumerSpec,
  ): Promise<void> {
    for await (const notification of notifications) {
      if (notification.type !== 'consumer_not_found' && notification.type !== 'consumer_deleted') continue;
      try {
        await provisionDurableConsumer(manager, spec);
        this.logger.warn({ consumer: spec.durable }, 'recreated a consumer that had disappeared');
      } catch (error) {
        this.logger.error(
          { consumer: spec.durable, err: describeError(error) },
          'cannot recreate a consumer',
        );
      }
    }
  }

  private async settle(message: JsMsg, spec: ConsumerSpec): Promise<void> {
    const incoming: IncomingMessage = {
      subject: message.subject,
      body: message.string(),
      headers: fromNatsHeaders(message.headers),
      attempt: message.info.deliveryCount,
    };
    const outcome = await handleDelivery(incoming, spec.durable, spec.policy, spec.process);
    switch (outcome.kind) {
      case 'ack':
        message.ack();
        return;
      case 'retry':
        this.logger.warn(
          {
            consumer: spec.durable,
            subject: incoming.subject,
            attempt: incoming.attempt,
            err: outcome.error,
          },
          'a message handler failed; the message will be redelivered',
        );
        message.nak(outcome.delayMs);
        return;
      case 'dead-letter':
        await this.deadLetter(message, incoming, spec, outcome.error);
        return;
    }
  }

  private async deadLetter(message: JsMsg, incoming: IncomingMessage, spec: ConsumerSpec, error: string) {
    const fields = {
      consumer: spec.durable,
      subject: incoming.subject,
      attempt: incoming.attempt,
      err: error,
    };
    if (!spec.deadLetters) {
      this.logger.error(fields, 'dropped a dead letter that cannot be decoded');
      message.term(error);
      return;
    }
    const deadLetter: DeadLetter = {
      subject: incoming.subject,
      consumer: spec.durable,
      error,
      deliveries: incoming.attempt,
      failedAt: new Date().toISOString(),
      body: incoming.body,
    };
    try {
      await this.publishDurable(
        this.connectedClient(),
        this.names.deadLetter(incoming.subject),
        encodeMessage(deadLetter),
        `${spec.stream}:${message.info.streamSequence}:${spec.durable}`,
        incoming.headers,
      );
      message.term(error);
      this.logger.error(fields, 'a message went to the dead letters');
    } catch (publishError) {
      this.logger.error(
        { ...fields, deadLetterError: describeError(publishError) },
        'cannot dead-letter a message',
      );
      message.nak(redeliveryDelayMs(incoming.attempt));
    }
  }

  private track(subscription: Subscription): Subscription {
    const tracked: Subscription = {
      stop: async () => {
        await subscription.stop();
        this.running.delete(tracked);
      },
    };
    this.running.add(tracked);
    return tracked;
  }

  private serverList(): string {
    const { servers } = this.options;
    return typeof servers === 'string' ? servers : servers.join(', ');
  }
}

function backoffDelay(attempt: number): number {
  return Math.min(100 * 2 ** Math.min(attempt - 1, 10), MAX_RECONNECT_DELAY_MS);
}

function toNatsHeaders(values: MessageHeaders): MsgHdrs {
  const headers = createHeaders();
  for (const [key, value] of Object.entries(values)) headers.set(key, value);
  return headers;
}

/** Header names in lower case, as the W3C propagator looks them up. */
function fromNatsHeaders(headers: MsgHdrs | undefined): MessageHeaders {
  const values: MessageHeaders = {};
  for (const key of headers?.keys() ?? []) values[key.toLowerCase()] = headers?.get(key) ?? '';
  return values;
}
