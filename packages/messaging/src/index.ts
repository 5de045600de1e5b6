export type {
  AgentCommand,
  AgentCommandHandler,
  BusHealth,
  ConsumeOptions,
  DeadLetter,
  DeadLetterConsumeOptions,
  Delivery,
  EventBus,
  EventFilter,
  EventHandler,
  EventOf,
  EventPublisher,
  MessagingLogger,
  RedeliveryPolicy,
  Subscription,
} from './event-bus';
export { silentLogger } from './event-bus';
export { JetStreamEventBus, type JetStreamEventBusOptions } from './jetstream/jetstream-event-bus';
export { type EventBusEnv, openEventBus, type ResourceOwner } from './jetstream/open-event-bus';
export type { StreamLimits } from './jetstream/stream-provisioning';
export { InProcessEventBus, type InProcessEventBusOptions } from './in-process/in-process-event-bus';
export { OutboxRelay, type OutboxRelayOptions, type OutboxRelayState } from './outbox/outbox-relay';
