import { createEvent, proxyReportsOf } from './events';

describe(proxyReportsOf.name, () => {
  it('gives each batched report back as its event, in order, in the tenant of the batch', () => {
    const batch = createEvent('proxy.reports', {
      id: 'b0a4c5a8-4f34-4cf0-9d55-1f8f2f1b5f00',
      tenantId: 'tenant-1',
      aggregateId: 'replica-1',
      payload: {
        xdsReplica: 'replica-1',
        reports: [
          {
            id: 'e1',
            type: 'proxy.sent',
            occurredAt: '2026-11-25T10:00:00.000Z',
            payload: { nodeId: 'edge-1', typeUrl: 'type', version: 'v1', nonce: '1' },
          },
          {
            id: 'e2',
            type: 'proxy.ack',
            occurredAt: '2026-11-25T10:00:00.010Z',
            payload: { nodeId: 'edge-1', typeUrl: 'type', version: 'v1', nonce: '1' },
          },
        ],
      },
    });

    expect(proxyReportsOf(batch)).toEqual([
      {
        id: 'e1',
        type: 'proxy.sent',
        schemaVersion: 1,
        tenantId: 'tenant-1',
        aggregateId: 'edge-1',
        occurredAt: '2026-11-25T10:00:00.000Z',
        payload: { nodeId: 'edge-1', typeUrl: 'type', version: 'v1', nonce: '1' },
      },
      {
        id: 'e2',
        type: 'proxy.ack',
        schemaVersion: 1,
        tenantId: 'tenant-1',
        aggregateId: 'edge-1',
        occurredAt: '2026-11-25T10:00:00.010Z',
        payload: { nodeId: 'edge-1', typeUrl: 'type', version: 'v1', nonce: '1' },
      },
    ]);
  });
});
