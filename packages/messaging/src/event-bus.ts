import type { DomainEvent, EventType } from '@envoy-fleet/domain';

/** A union of event envelopes, one member per type, so that `switch (event.type)` narrows the payload. */
export type EventOf<T extends EventType> = { [K in T]: DomainEvent<K> }[T];

/** Where a delivery stands: the attempt number starts at 1 and grows with each redelivery. */
export interface Delivery {
  readonly subject: string;
  readonly attempt: number;
}

/** Throwing (or rejecting) asks for a redelivery; returning acknowledges the event. */
export type EventHandler<T extends EventType> = (event: EventOf<T>, delivery: Delivery) => Promise<void>;

/** How hard a durable consumer tries before it dead-letters a message. */
export interface RedeliveryPolicy {
  /** Handler attempts before the message goes to the dead-letter subject (default 5). */
  readonly maxDeliver?: number;
  /** How long a handler may run before the message is handed to another consumer (default 30 s). */
  readonly ackWaitMs?: number;
}

/** Which durable events a consumer group receives: listed types, or every event under a subject
 *  filter of the catalogue's subjects (NATS wildcards, such as `events.config.>`). */
export type EventFilter<T extends EventType> =
  | { readonly types: readonly T[]; readonly subject?: never }
  | { readonly subject: string; readonly types?: never };

export type ConsumeOptions<T extends EventType> = EventFilter<T> &
  RedeliveryPolicy & {
    /** The consumer group: every replica of an app uses the same name, and each event reaches one of them. */
    readonly durable: string;
    readonly handler: EventHandler<T>;
  };

/** A command for the node agent of one VM; `kind` and `payload` are defined by the node-agent protocol. */
export interface AgentCommand<TKind extends string = string, TPayload = unknown> {
  /** UUID; also the de-duplication id, so resending a command is safe. */
  readonly id: string;
  readonly nodeId: string;
  readonly kind: TKind;
  readonly payload: TPayload;
  /** ISO 8601 instant. */
  readonly issuedAt: string;
}

export type AgentCommandHandler = (command: AgentCommand, delivery: Delivery) => Promise<void>;

/** A message a consumer group gave up on after its last attempt. */
export interface DeadLetter {
  /** The subject the message was published on. */
  readonly subject: string;
  /** The consumer group that failed to handle it. */
  readonly consumer: string;
  /** The last handler error (or why the message could not be decoded). */
  readonly error: string;
  readonly deliveries: number;
  /** ISO 8601 instant. */
  readonly failedAt: string;
  /** The message body as it was published (JSON text). */
  readonly body: string;
}

export interface DeadLetterConsumeOptions {
  readonly durable: string;
  /** Throwing asks for a redelivery (with backoff, without limit: a dead letter is never dropped). */
  readonly handler: (deadLetter: DeadLetter, delivery: Delivery) => Promise<void>;
}

/** A running consumer or subscription. */
export interface Subscription {
  /** Stops receiving and resolves once the handler call in progress has finished. */
  stop(): Promise<void>;
}

export interface BusHealth {
  readonly healthy: boolean;
  readonly detail: string;
}

/**
 * The only way the product talks to its message broker. Durable events, agent commands and dead
 * letters are at-least-once with explicit acknowledgement; broadcast events are fire-and-forget
 * fan-out to every subscriber.
 */
export interface EventBus extends EventPublisher {
  /** Creates or updates the streams; safe to run from every replica at start-up. */
  provisionStreams(): Promise<void>;
  /**
   * Joins a durable consumer group. A new group sees the events published from then on; an existing
   * one resumes where it stood, and a type added to its filter is received from about then on.
   */
  consume<T extends EventType>(options: ConsumeOptions<T>): Promise<Subscription>;
  /** Receives every broadcast event of a type that is published while subscribed. */
  subscribe<T extends EventType>(
    type: T,
    handler: (event: DomainEvent<T>) => Promise<void>,
  ): Promise<Subscription>;
  /** Queues a command for a node agent; it is kept until that agent consumes it, even if it is offline now. */
  sendCommand(nodeId: string, command: Omit<AgentCommand, 'nodeId'>): Promise<void>;
  /** Receives the commands of one node, in the order they were sent, one at a time. */
  consumeCommands(
    nodeId: string,
    handler: AgentCommandHandler,
    policy?: RedeliveryPolicy,
  ): Promise<Subscription>;
  /** Receives dead letters, including those written before the group first joined. */
  consumeDeadLetters(options: DeadLetterConsumeOptions): Promise<Subscription>;
  /** Whether the broker is reachable now (for `/readyz`). */
  health(): Promise<BusHealth>;
  /** Stops every consumer and subscription, lets in-flight handlers finish, and disconnects. */
  close(): Promise<void>;
}

/** The part of the bus that the outbox relay needs. */
export interface EventPublisher {
  /** Durable events are stored (de-duplicated by `event.id`) before this resolves; broadcast events are sent. */
  publish(event: DomainEvent): Promise<void>;
}

/** Structured logging as pino does it: fields first, then the message. */
export interface MessagingLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

export const silentLogger: MessagingLogger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
