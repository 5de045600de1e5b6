import { randomBytes } from 'node:crypto';
import type { Page } from '../src/http/list-query';
import type { CreatedApiKeyView } from '../src/modules/api-keys/api-key.dto';
import { ENCRYPTED_FIELD, SecretCipher } from '../src/modules/configs/secret-cipher';
import type {
  CreatedWebhookView,
  WebhookDeliveryView,
  WebhookView,
} from '../src/modules/webhooks/webhook.dto';
import { startApi, type ApiUnderTest } from './support/api-under-test';

const ENCRYPTION_KEY = randomBytes(32);

describe('webhook subscriptions and deliveries', () => {
  let api: ApiUnderTest;
  let tenantId: string;

  beforeAll(async () => {
    api = await startApi('webhooks', { SECRET_ENCRYPTION_KEY: ENCRYPTION_KEY.toString('base64') });
    tenantId = (await api.sql<{ id: string }>("SELECT id FROM tenants WHERE name = 'default'"))[0]?.id ?? '';
  });

  afterAll(async () => {
    await api.close();
  });

  const subscribe = (name: string, extra: Record<string, unknown> = {}) =>
    api.admin.post<CreatedWebhookView>('/api/v1/webhooks', {
      name,
      url: 'https://hooks.example.test/envoy-fleet',
      eventTypes: ['config.version.created', 'proxy.nack'],
      ...extra,
    });

  const storedSecret = async (id: string): Promise<string> =>
    (await api.sql<{ secret: string }>('SELECT secret FROM webhook_subscriptions WHERE id = $1', [id]))[0]
      ?.secret ?? '';

  it('generates a signing secret, returns it once, and stores it encrypted', async () => {
    const created = await subscribe('generated');

    expect(created.status).toBe(201);
    expect(created.headers.get('etag')).toBe('W/"1"');
    expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]+={0,2}$/);
    expect(Buffer.from(created.body.secret.slice('whsec_'.length), 'base64')).toHaveLength(32);
    const stored = await storedSecret(created.body.id);
    expect(stored).not.toContain(created.body.secret.slice('whsec_'.length));
    expect(new SecretCipher(ENCRYPTION_KEY).open({ [ENCRYPTED_FIELD]: stored }, tenantId)).toEqual({
      secret: created.body.secret,
    });

    const read = await api.admin.get<WebhookView>(`/api/v1/webhooks/${created.body.id}`);
    const listed = await api.admin.get<Page<WebhookView>>('/api/v1/webhooks');
    const updated = await api.admin.patch<WebhookView>(
      `/api/v1/webhooks/${created.body.id}`,
      { enabled: false },
      { headers: { 'if-match': 'W/"1"' } },
    );
    for (const response of [read, listed, updated]) {
      expect(response.status).toBe(200);
      expect(response.text).not.toContain(created.body.secret);
      expect(response.text).not.toContain(stored);
    }
    expect(read.body).not.toHaveProperty('secret');
    expect(updated.body).toMatchObject({ enabled: false, version: 2 });
    expect(await storedSecret(created.body.id)).toBe(stored);
    const audit = await api.sql<{ after: { secret: string } }>(
      'SELECT after FROM audit_log WHERE row_id = $1 ORDER BY created_at',
      [created.body.id],
    );
    expect(audit.map((row) => row.after.secret)).toEqual(['[masked]', '[masked]']);
  });

  it('takes a given Standard Webhooks secret and refuses a malformed one (400)', async () => {
    const secret = `whsec_${randomBytes(24).toString('base64')}`;
    const given = await subscribe('given', { secret });
    const short = await subscribe('short', { secret: `whsec_${randomBytes(8).toString('base64')}` });
    const bare = await subscribe('bare', { secret: 'x'.repeat(40) });

    expect(given.status).toBe(201);
    expect(given.body.secret).toBe(secret);
    expect(
      new SecretCipher(ENCRYPTION_KEY).open(
        { [ENCRYPTED_FIELD]: await storedSecret(given.body.id) },
        tenantId,
      ),
    ).toEqual({ secret });
    expect(short.status).toBe(400);
    expect(short.problem.errors).toEqual([{ path: 'secret', message: 'must encode 24 to 64 bytes' }]);
    expect(bare.status).toBe(400);
    expect(bare.problem.errors).toEqual([{ path: 'secret', message: 'must be "whsec_" followed by base64' }]);
  });

  it('filters by durable event types only, and validates url and attempts (400)', async () => {
    const broadcast = await subscribe('broadcast', { eventTypes: ['snapshot.updated'] });
    const unknown = await subscribe('unknown', { eventTypes: ['config.exploded'] });
    const none = await subscribe('none', { eventTypes: [] });
    const twice = await subscribe('twice', { eventTypes: ['proxy.ack', 'proxy.ack'] });
    const badUrl = await subscribe('ftp', { url: 'ftp://hooks.example.test/' });
    const attempts = await subscribe('attempts', { maxAttempts: 51 });

    for (const response of [broadcast, unknown, none, twice, badUrl, attempts]) {
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
    expect(broadcast.problem.errors?.[0]?.path).toBe('eventTypes[0]');
    expect(none.problem.errors).toEqual([
      { path: 'eventTypes', message: 'subscribe to at least one event type' },
    ]);
    expect(twice.problem.errors).toEqual([{ path: 'eventTypes', message: 'lists an event type twice' }]);
    expect(badUrl.problem.errors?.[0]?.path).toBe('url');
    expect(attempts.problem.errors?.[0]?.path).toBe('maxAttempts');
  });

  it('replaces, refuses a secret on update, a stale or missing If-Match, a duplicate name, and deletes', async () => {
    const created = (await subscribe('lifecycle')).body;
    const path = `/api/v1/webhooks/${created.id}`;
    const write = {
      name: 'lifecycle',
      url: 'http://127.0.0.1:9/hook',
      eventTypes: ['proxy.changed'],
      maxAttempts: 3,
    };

    const replaced = await api.admin.put<WebhookView>(path, write, { headers: { 'if-match': 'W/"1"' } });
    const withSecret = await api.admin.put(
      path,
      { ...write, secret: `whsec_${randomBytes(24).toString('base64')}` },
      { headers: { 'if-match': 'W/"2"' } },
    );
    const stale = await api.admin.put(path, write, { headers: { 'if-match': 'W/"1"' } });
    const unconditional = await api.admin.put(path, write);
    const duplicate = await subscribe('lifecycle');

    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({
      eventTypes: ['proxy.changed'],
      maxAttempts: 3,
      enabled: true,
      version: 2,
    });
    expect(withSecret.status).toBe(400);
    expect(withSecret.problem.errors).toEqual([{ path: 'secret', message: 'unknown property' }]);
    expect(stale.status).toBe(412);
    expect(unconditional.status).toBe(428);
    expect(duplicate.status).toBe(409);

    expect((await api.admin.delete(path, { headers: { 'if-match': 'W/"2"' } })).status).toBe(204);
    expect((await api.admin.get(path)).status).toBe(404);
    const events = await api.sql<{ payload: { change: string } }>(
      `SELECT payload FROM outbox WHERE aggregate_id = $1 AND type = 'webhook.changed' ORDER BY id`,
      [created.id],
    );
    expect(events.map((event) => event.payload.change)).toEqual(['created', 'updated', 'deleted']);
  });

  it('lets viewers read subscriptions but not write them (403), and needs credentials (401)', async () => {
    const viewer = (
      await api.admin.post<CreatedApiKeyView>('/api/v1/api-keys', { name: 'webhook-viewer', role: 'viewer' })
    ).body;
    const asViewer = api.anonymous.as(viewer.secret);

    expect((await asViewer.get('/api/v1/webhooks')).status).toBe(200);
    expect(
      (
        await asViewer.post('/api/v1/webhooks', {
          name: 'v',
          url: 'https://x.test',
          eventTypes: ['proxy.ack'],
        })
      ).status,
    ).toBe(403);
    expect((await api.anonymous.get('/api/v1/webhooks')).status).toBe(401);
    expect((await api.admin.get('/api/v1/webhooks/not-a-uuid')).status).toBe(400);
  });

  it('pages through a subscription’s delivery attempts, newest first, filtered by status', async () => {
    const created = (await subscribe('deliveries')).body;
    const eventId = '6f1c1d3e-0000-4000-8000-000000000001';
    for (const [attempt, status, responseStatus] of [
      [1, 'failed', 503],
      [2, 'failed', 502],
      [3, 'succeeded', 204],
    ] as const) {
      await api.sql(
        `INSERT INTO webhook_deliveries
           (tenant_id, subscription_id, event_id, event_type, attempt, status, payload, response_status, duration_ms, created_at)
         VALUES ($1, $2, $3, 'proxy.nack', $4::int, $5, '{"type":"proxy.nack"}', $6, 12, now() + $4::int * interval '1 second')`,
        [tenantId, created.id, eventId, attempt, status, responseStatus],
      );
    }
    const path = `/api/v1/webhooks/${created.id}/deliveries`;

    const first = await api.admin.get<Page<WebhookDeliveryView>>(`${path}?limit=2`);
    const second = await api.admin.get<Page<WebhookDeliveryView>>(
      `${path}?limit=2&cursor=${first.body.nextCursor ?? ''}`,
    );
    const failed = await api.admin.get<Page<WebhookDeliveryView>>(`${path}?status=failed&sort=attempt`);

    expect(first.status).toBe(200);
    expect(first.body.items.map((item) => item.attempt)).toEqual([3, 2]);
    expect(first.body.items[0]).toMatchObject({
      subscriptionId: created.id,
      eventId,
      eventType: 'proxy.nack',
      status: 'succeeded',
      responseStatus: 204,
      durationMs: 12,
      payload: { type: 'proxy.nack' },
    });
    expect(second.body.items.map((item) => item.attempt)).toEqual([1]);
    expect(second.body.nextCursor).toBeNull();
    expect(failed.body.items.map((item) => item.attempt)).toEqual([1, 2]);
    expect((await api.admin.get(`${path}?status=failed&bogus=1`)).status).toBe(400);
    expect(
      (await api.admin.get('/api/v1/webhooks/00000000-0000-4000-8000-000000000000/deliveries')).status,
    ).toBe(404);
    expect((await api.admin.post(path, {})).status).toBe(404);
  });
});
