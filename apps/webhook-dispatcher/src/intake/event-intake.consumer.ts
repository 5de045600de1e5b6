import { type DomainEvent, DURABLE_EVENT_SUBJECT_PREFIX, proxyReportsOf } from '@envoy-fleet/domain';
import { type EventBus, type Subscription } from '@envoy-fleet/messaging';
import type { DeliveryQueue } from '../queue/delivery-queue';

/** Every replica joins this consumer group, so each event is queued by one of them. */
export const WEBHOOK_CONSUMER = 'webhook-dispatcher';

/**
 * An event is redelivered while PostgreSQL cannot take its attempts: with the bus's backoff (up to 30 s
 * between deliveries) this rides out an outage of about 50 minutes before the event is dead-lettered.
 */
const MAX_DELIVER = 100;

/**
 * Turns every durable domain event of a tenant into first delivery attempts for the subscriptions that
 * want it, and wakes the poller when there are some. The event is acknowledged once its attempts are
 * stored, so none is lost to a crash; a redelivery queues nothing twice. xds-server publishes the
 * reports of proxies (connected, disconnected, sent, ack, nack) batched in `proxy.reports`: each report
 * is delivered as the event of its own type, with its own id.
 */
export function consumeEvents(
  bus: EventBus,
  queue: DeliveryQueue,
  onQueued: () => void,
): Promise<Subscription> {
  return bus.consume({
    durable: WEBHOOK_CONSUMER,
    subject: `${DURABLE_EVENT_SUBJECT_PREFIX}.>`,
    maxDeliver: MAX_DELIVER,
    handler: async (event) => {
      if (event.tenantId === null) return;
      if ((await queue.enqueue(event.tenantId, eventsIn(event))) > 0) onQueued();
    },
  });
}

function eventsIn(event: DomainEvent): DomainEvent[] {
  return event.type === 'proxy.reports'
    ? [event, ...proxyReportsOf(event as DomainEvent<'proxy.reports'>)]
    : [event];
}
