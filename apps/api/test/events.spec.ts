import type { DomainEvent } from '@envoy-fleet/domain';
import type { CreatedTenantView } from '../src/modules/tenants/tenant.dto';
import { startApi, type ApiUnderTest } from './support/api-under-test';

interface ServerSentEvent {
  readonly id: string;
  readonly type: string;
  readonly data: DomainEvent;
}

/** Reads a text/event-stream until `count` events arrived (or the test's timeout). */
async function readEvents(response: Response, count: number): Promise<ServerSentEvent[]> {
  const reader = (response.body ?? new ReadableStream<Uint8Array>()).getReader();
  const decoder = new TextDecoder();
  const events: ServerSentEvent[] = [];
  let buffer = '';
  while (events.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value as Uint8Array, { stream: true });
    let end = buffer.indexOf('\n\n');
    while (end !== -1) {
      const fields = Object.fromEntries(
        buffer
          .slice(0, end)
          .split('\n')
          .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()]),
      ) as Record<string, string>;
      if (fields['data'] !== undefined) {
        events.push({
          id: fields['id'] ?? '',
          type: fields['event'] ?? '',
          data: JSON.parse(fields['data']) as DomainEvent,
        });
      }
      buffer = buffer.slice(end + 2);
      end = buffer.indexOf('\n\n');
    }
  }
  await reader.cancel();
  return events;
}

describe('GET /api/v1/events', () => {
  let api: ApiUnderTest;
  let tenantB: CreatedTenantView;

  beforeAll(async () => {
    api = await startApi('events');
    tenantB = (
      await api.admin.post<CreatedTenantView>('/api/v1/tenants', { name: 'tenant-b', displayName: 'B' })
    ).body;
  });

  afterAll(async () => {
    await api.close();
  });

  const open = (token: string, query = ''): Promise<Response> =>
    fetch(`${api.app.url}/api/v1/events${query}`, {
      headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
    });

  it("streams the caller's tenant events as they are relayed from the outbox, and no other tenant's", async () => {
    const streamOfB = await open(tenantB.adminApiKey.secret, '?types=node.registered');
    expect(streamOfB.status).toBe(200);
    expect(streamOfB.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const received = readEvents(streamOfB, 1);

    // The consumer joins when the app starts; events before the stream opened are not replayed.
    await api.admin.post('/api/v1/nodes', {
      hostname: 'vm-of-a',
      capacity: { cpuMillicores: 1, memoryMib: 1 },
    });
    await api.anonymous.post(
      '/api/v1/nodes',
      { hostname: 'vm-of-b', capacity: { cpuMillicores: 1, memoryMib: 1 } },
      { token: tenantB.adminApiKey.secret },
    );

    const [event] = await received;
    expect(event?.type).toBe('node.registered');
    expect(event?.data).toMatchObject({
      type: 'node.registered',
      tenantId: tenantB.id,
      payload: { hostname: 'vm-of-b' },
    });
    expect(event?.id).toBe(event?.data.id);
  });

  it('needs a token and a known event type', async () => {
    expect((await fetch(`${api.app.url}/api/v1/events`)).status).toBe(401);
    const unknown = await open(api.adminKey, '?types=node.exploded');
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { errors: { path: string }[] }).errors[0]?.path).toBe('query.types[0]');
  });
});
