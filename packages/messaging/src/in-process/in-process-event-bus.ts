import { EVENT_CATALOGUE, type DomainEvent, type EventType } from '@envoy-fleet/domain';
import {
  DEFAULT_ACK_WAIT_MS,
  describeError,
  handleDelivery,
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
import { withProcessSpan, withPublishSpan } from '../trace-context';
import {
  InProcessStream,
  TimerRegistry,
  type ConsumerGroup,
  type GroupMember,
  type Settlement,
} from './in-process-stream';

export interface InProcessEventBusOptions {
  readonly logger?: MessagingLogger;
}

const DAY_MS = 24 * 60 * 60 * 1_000;
const DUPLICATE_WINDOW_MS = 2 * 60 * 1_000;

interface MemberSpec {
  readonly group: ConsumerGroup;
  readonly consumer: string;
  readonly policy: ResolvedPolicy;
  /** False for dead-letter consumers: what they cannot decode is dropped with an error log. */
  readonly deadLetters: boolean;
  readonly process: (body: string, delivery: Delivery) => Promise<void>;
}

type BroadcastHandler = (body: string, headers: Record<string, string>) => Promise<void>;

/**
 * The event bus of the embedded single-process default: the same semantics as the JetStream bus
 * (durable groups, at-least-once with bounded redelivery, dead letters, broadcast fan-out, command
 * queues that wait for their agent), kept in memory and lost on restart.
 */
export class InProcessEventBus implements EventBus {
  private readonly names = new SubjectNames();
  private readonly logger: MessagingLogger;
  private readonly timers = new TimerRegistry();
  private readonly events: InProcessStream;
  private readonly commands: InProcessStream;
  private readonly deadLetters: InProcessStream;
  private readonly broadcastHandlers = new Map<string, Set<BroadcastHandler>>();
  private readonly running = new Set<Subscription>();
  private closed = false;

  constructor(options: InProcessEventBusOptions = {}) {
    this.logger = options.logger ?? silentLogger;
    const limits = (maxMessages: number, maxAgeMs: number) => ({
      maxMessages,
      maxAgeMs,
      duplicateWindowMs: DUPLICATE_WINDOW_MS,
    });
    // Event groups start with the events published after they join, so no event needs keeping.
    this.events = new InProcessStream(limits(0, 0), this.timers);
    this.commands = new InProcessStream(limits(100_000, 7 * DAY_MS), this.timers);
    this.deadLetters = new InProcessStream(limits(100_000, 30 * DAY_MS), this.timers);
  }

  provisionStreams(): Promise<void> {
    return Promise.resolve();
  }

  async publish(event: DomainEvent): Promise<void> {
    this.assertOpen();
    const definition = EVENT_CATALOGUE[event.type];
    if (definition === undefined)
      throw new Error(`cannot publish event ${event.id}: unknown type "${event.type}"`);
    const subject = this.names.event(event.type);
    const body = encodeMessage(event);
    await withPublishSpan(subject, event.id, (headers) => {
      if (definition.delivery === 'durable') this.events.append(subject, body, headers, event.id);
      else for (const handler of this.broadcastHandlers.get(subject) ?? []) void handler(body, headers);
      return Promise.resolve();
    });
  }

  consume<T extends EventType>(options: ConsumeOptions<T>): Promise<Subscription> {
    return this.whenOpen(() => {
      assertValidName('durable consumer name', options.durable);
      const policy = resolvePolicy(options);
      const filter = resolveEventFilter(this.names, options);
      return this.join({
        group: this.events.group(options.durable, filter.subjects, 'new', policy.ackWaitMs),
        consumer: options.durable,
        policy,
        deadLetters: true,
        process: async (body, delivery) => {
          const event = decodeEvent(body);
          if (filter.accepts(event.type)) await options.handler(event as EventOf<T>, delivery);
        },
      });
    });
  }

  subscribe<T extends EventType>(
    type: T,
    handler: (event: DomainEvent<T>) => Promise<void>,
  ): Promise<Subscription> {
    return this.whenOpen(() => {
      if (EVENT_CATALOGUE[type].delivery !== 'broadcast') {
        throw new Error(
          `"${type}" is a durable event: receive it with consume() and a durable consumer group`,
        );
      }
      const subject = this.names.event(type);
      const inFlight = new Set<Promise<void>>();
      const broadcastHandler: BroadcastHandler = (body, headers) => {
        const call = (async () => {
          // Delivered after the publisher continues, as a NATS subscriber would see it.
          await new Promise((resolve) => setImmediate(resolve));
          try {
            await withProcessSpan(subject, 'broadcast', headers, () =>
              handler(decodeEvent(body) as DomainEvent<T>),
            );
          } catch (error) {
            this.logger.warn({ subject, err: describeError(error) }, 'a broadcast event handler failed');
          }
        })();
        inFlight.add(call);
        void call.finally(() => inFlight.delete(call));
        return call;
      };
      const handlers = this.broadcastHandlers.get(subject) ?? new Set<BroadcastHandler>();
      handlers.add(broadcastHandler);
      this.broadcastHandlers.set(subject, handlers);
      return this.track({
        stop: async () => {
          handlers.delete(broadcastHandler);
          await Promise.all(inFlight);
        },
      });
    });
  }

  async sendCommand(nodeId: string, command: Omit<AgentCommand, 'nodeId'>): Promise<void> {
    this.assertOpen();
    const subject = this.names.agentCommands(nodeId);
    // The node's group exists from the first command on, so commands wait for an agent that is not running.
    this.commands.group(this.names.agentConsumer(nodeId), [subject], 'all', DEFAULT_ACK_WAIT_MS);
    const body = encodeMessage({ ...command, nodeId });
    await withPublishSpan(subject, command.id, (headers) => {
      this.commands.append(subject, body, headers, command.id);
      return Promise.resolve();
    });
  }

  consumeCommands(
    nodeId: string,
    handler: AgentCommandHandler,
    policy: RedeliveryPolicy = {},
  ): Promise<Subscription> {
    return this.whenOpen(() => {
      const resolved = resolvePolicy(policy);
      const consumer = this.names.agentConsumer(nodeId);
      return this.join({
        group: this.commands.group(consumer, [this.names.agentCommands(nodeId)], 'all', resolved.ackWaitMs),
        consumer,
        policy: resolved,
        deadLetters: true,
        process: (body, delivery) => handler(decodeAgentCommand(body), delivery),
      });
    });
  }

  consumeDeadLetters(options: DeadLetterConsumeOptions): Promise<Subscription> {
    return this.whenOpen(() => {
      assertValidName('durable consumer name', options.durable);
      return this.join({
        group: this.deadLetters.group(
          options.durable,
          [this.names.allDeadLetters()],
          'all',
          DEFAULT_ACK_WAIT_MS,
        ),
        consumer: options.durable,
        policy: { maxDeliver: null, ackWaitMs: DEFAULT_ACK_WAIT_MS },
        deadLetters: false,
        process: (body, delivery) => options.handler(decodeDeadLetter(body), delivery),
      });
    });
  }

  health(): Promise<BusHealth> {
    return Promise.resolve(
      this.closed
        ? { healthy: false, detail: 'the in-process event bus is closed' }
        : { healthy: true, detail: 'in-process event bus' },
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.running].map((subscription) => subscription.stop()));
    this.timers.cancelAll();
  }

  /** One member of a group: it handles one message at a time, as a pull consumer with a loop does. */
  private join(spec: MemberSpec): Subscription {
    let current: Promise<Settlement> | undefined;
    const member: GroupMember = {
      settle: (message) => {
        current = this.settle(message, spec);
        return current;
      },
    };
    spec.group.join(member);
    return this.track({
      stop: async () => {
        spec.group.leave(member);
        await current;
      },
    });
  }

  private async settle(message: IncomingMessage, spec: MemberSpec): Promise<Settlement> {
    const outcome = await handleDelivery(message, spec.consumer, spec.policy, spec.process);
    const fields = { consumer: spec.consumer, subject: message.subject, attempt: message.attempt };
    switch (outcome.kind) {
      case 'ack':
        return 'done';
      case 'retry':
        this.logger.warn(
          { ...fields, err: outcome.error },
          'a message handler failed; the message will be redelivered',
        );
        return { retryAfterMs: outcome.delayMs };
      case 'dead-letter': {
        if (!spec.deadLetters) {
          this.logger.error(
            { ...fields, err: outcome.error },
            'dropped a dead letter that cannot be decoded',
          );
          return 'done';
        }
        const deadLetter: DeadLetter = {
          subject: message.subject,
          consumer: spec.consumer,
          error: outcome.error,
          deliveries: message.attempt,
          failedAt: new Date().toISOString(),
          body: message.body,
        };
        const subject = this.names.deadLetter(message.subject);
        this.deadLetters.append(subject, encodeMessage(deadLetter), message.headers);
        this.logger.error({ ...fields, err: outcome.error }, 'a message went to the dead letters');
        return 'done';
      }
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

  /** Runs `start` unless the bus is closed; what it throws becomes the rejection. */
  private whenOpen<T>(start: () => T): Promise<T> {
    return new Promise((resolve) => {
      this.assertOpen();
      resolve(start());
    });
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('the event bus is closed');
  }
}
