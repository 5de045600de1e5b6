import { randomBytes, randomUUID } from 'node:crypto';
import { createEvent, type DomainEvent } from '@envoy-fleet/domain';
import { JetStreamEventBus } from '@envoy-fleet/messaging';
import { TEST_NATS_URL } from '@envoy-fleet/test-kit/nats';
import type { CreatedTenantView } from '../src/modules/tenants/tenant.dto';
import { startApi, type ApiUnderTest } from './support/api-under-test';

/** The data of the first server-sent event on `response`. */
async function firstEvent(response: Response): Promise<DomainEvent> {
  const reader = (response.body ?? new ReadableStream<Uint8Array>()).getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the event stream ended before an event: ${buffer}`);
    buffer += decoder.decode(value as Uint8Array, { stream: true });
    const data = /^data:(.*)$/m.exec(buffer.slice(0, Math.max(0, buffer.indexOf('\n\n'))));
    if (data?.[1] !== undefined) {
      await reader.cancel();
      return JSON.parse(data[1]) as DomainEvent;
    }
  }
}

describe('GET /api/v1/events with xds-server proxy reports', () => {
  const namespace = `api_reports_${randomBytes(3).toString('hex')}`;
  let api: ApiUnderTest;
  let bus: JetStreamEventBus;
  let tenant: CreatedTenantView;

  beforeAll(async () => {
    api = await startApi('proxy_reports', { NATS_NAMESPACE: namespace });
    bus = JetStreamEventBus.create({ servers: TEST_NATS_URL, name: 'proxy-reports-xds', namespace });
    await bus.provisionStreams();
    tenant = (
      await api.admin.post<CreatedTenantView>('/api/v1/tenants', { name: 'reports', displayName: 'R' })
    ).body;
  });

  afterAll(async () => {
    await bus.close();
    await api.close();
  });

  it('streams each report of a proxy.reports batch as the event it stands for', async () => {
    const stream = await fetch(`${api.app.url}/api/v1/events?types=proxy.ack`, {
      headers: { authorization: `Bearer ${tenant.adminApiKey.secret}`, accept: 'text/event-stream' },
    });
    expect(stream.status).toBe(200);
    const received = firstEvent(stream);
    const report = { nodeId: 'edge-1', typeUrl: 'type.googleapis.com/envoy.config.cluster.v3.Cluster' };

    await bus.publish(
      createEvent('proxy.reports', {
        id: randomUUID(),
        tenantId: tenant.id,
        aggregateId: 'xds-1',
        payload: {
          xdsReplica: 'xds-1',
          reports: [
            {
              id: randomUUID(),
              type: 'proxy.sent',
              occurredAt: new Date().toISOString(),
              payload: { ...report, version: 'v1', nonce: '1' },
            },
            {
              id: randomUUID(),
              type: 'proxy.ack',
              occurredAt: new Date().toISOString(),
              payload: { ...report, version: 'v1', nonce: '1' },
            },
          ],
        },
      }),
    );

    expect(await received).toMatchObject({
      type: 'proxy.ack',
      tenantId: tenant.id,
      aggregateId: 'edge-1',
      payload: { ...report, version: 'v1', nonce: '1' },
    });
  });
});
