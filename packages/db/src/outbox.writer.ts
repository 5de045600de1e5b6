import { type DomainEvent, EVENT_CATALOGUE } from '@envoy-fleet/domain';
import { type EntityManager } from 'typeorm';
import { OutboxEntity } from './entities/outbox.entity';

/** Header carrying the envelope's schema version, which has no column of its own. */
export const SCHEMA_VERSION_HEADER = 'Schema-Version';

export interface AppendEventsOptions {
  /** Extra message headers, such as W3C `traceparent`, copied to every event. */
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * Appends durable events to the outbox inside the caller's transaction, so they are published if and
 * only if the change they describe commits. Broadcast events do not belong here: they are not
 * replayed and go straight to NATS.
 */
export async function appendEvents(
  manager: EntityManager,
  events: readonly DomainEvent[],
  options: AppendEventsOptions = {},
): Promise<void> {
  if (events.length === 0) return;
  const rows = events.map((event) => {
    const definition = EVENT_CATALOGUE[event.type];
    if (definition.delivery !== 'durable') {
      throw new TypeError(
        `event ${event.type} is delivered by ${definition.delivery}, not through the outbox`,
      );
    }
    return {
      eventId: event.id,
      type: event.type,
      subject: definition.subject,
      tenantId: event.tenantId,
      aggregateId: event.aggregateId,
      payload: event.payload,
      headers: { ...options.headers, [SCHEMA_VERSION_HEADER]: String(event.schemaVersion) },
      occurredAt: new Date(event.occurredAt),
    };
  });
  await manager.insert(OutboxEntity, rows);
}

/** Rebuilds the envelope from an outbox row, as the relay publishes it. */
export function outboxRowToEvent(row: OutboxEntity): DomainEvent {
  const schemaVersion = Number(row.headers[SCHEMA_VERSION_HEADER] ?? EVENT_CATALOGUE[row.type].schemaVersion);
  return {
    id: row.eventId,
    type: row.type,
    schemaVersion,
    tenantId: row.tenantId,
    aggregateId: row.aggregateId,
    occurredAt: row.occurredAt.toISOString(),
    payload: row.payload,
  };
}
