import { outboxRowToEvent, type OutboxRow } from './outbox-row';

describe(outboxRowToEvent.name, () => {
  const row: OutboxRow = {
    id: '42',
    event_id: '0b1c2d3e-4f50-4617-8a9b-0c1d2e3f4a5b',
    type: 'config.updated',
    tenant_id: '11111111-2222-4333-8444-555555555555',
    aggregate_id: 'config-1',
    payload: { configId: 'config-1', name: 'edge' },
    headers: {
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      'Schema-Version': '3',
    },
    occurred_at: new Date('2026-01-02T03:04:05.678Z'),
  };

  it('rebuilds the envelope, with the schema version the writer recorded', () => {
    const { event, headers } = outboxRowToEvent(row);

    expect(event).toEqual({
      id: row.event_id,
      type: 'config.updated',
      schemaVersion: 3,
      tenantId: row.tenant_id,
      aggregateId: 'config-1',
      occurredAt: '2026-01-02T03:04:05.678Z',
      payload: row.payload,
    });
    expect(headers.traceparent).toBe(row.headers!.traceparent);
  });

  it('falls back to the catalogue schema version', () => {
    expect(outboxRowToEvent({ ...row, headers: {} }).event.schemaVersion).toBe(1);
  });

  it('refuses a row of an unknown type, naming it', () => {
    expect(() => outboxRowToEvent({ ...row, type: 'gone.away' })).toThrow(
      'outbox row 42 (event 0b1c2d3e-4f50-4617-8a9b-0c1d2e3f4a5b) has an unknown event type "gone.away"',
    );
  });
});
