import { EVENT_CATALOGUE, isEventType, type DomainEvent } from '@envoy-fleet/domain';
import type { MessageHeaders } from '../trace-context';

/** The columns the relay reads, as `pg` returns them (bigint ids as strings, jsonb parsed). */
export interface OutboxRow {
  readonly id: string;
  readonly event_id: string;
  readonly type: string;
  readonly tenant_id: string | null;
  readonly aggregate_id: string;
  readonly payload: unknown;
  readonly headers: Record<string, unknown> | null;
  readonly occurred_at: Date;
}

/** Header in which `@envoy-fleet/db`'s outbox writer keeps the envelope's schema version. */
export const SCHEMA_VERSION_HEADER = 'Schema-Version';

/** The envelope an outbox row stands for, and the headers (trace context) it was written with. */
export function outboxRowToEvent(row: OutboxRow): { event: DomainEvent; headers: MessageHeaders } {
  if (!isEventType(row.type)) {
    throw new Error(`outbox row ${row.id} (event ${row.event_id}) has an unknown event type "${row.type}"`);
  }
  const headers: MessageHeaders = {};
  for (const [name, value] of Object.entries(row.headers ?? {})) {
    if (typeof value === 'string') headers[name.toLowerCase()] = value;
  }
  const schemaVersion = Number(
    headers[SCHEMA_VERSION_HEADER.toLowerCase()] ?? EVENT_CATALOGUE[row.type].schemaVersion,
  );
  const event = {
    id: row.event_id,
    type: row.type,
    schemaVersion,
    tenantId: row.tenant_id,
    aggregateId: row.aggregate_id,
    occurredAt: row.occurred_at.toISOString(),
    payload: row.payload,
  } as DomainEvent;
  return { event, headers };
}
