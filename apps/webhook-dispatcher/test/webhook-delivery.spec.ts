import { randomUUID } from 'node:crypto';
import type { DomainEvent } from '@envoy-fleet/domain';
import type { AppProcess } from '@envoy-fleet/test-kit/stack';
import { Webhook } from 'standardwebhooks';
import { type DeliveryRow, DispatcherHarness, eventually } from './support/dispatcher-harness';
import { type ReceivedWebhook, startReceiver, type WebhookReceiver } from './support/webhook-receiver';

/** The event a receiver got, after checking its Standard Webhooks signature with the package's verifier. */
function verified(secret: string, webhook: ReceivedWebhook): DomainEvent {
  return new Webhook(secret).verify(webhook.body, webhook.headers as Record<string, string>) as DomainEvent;
}

/** The subscription's attempts once `done` holds for them. */
function attemptsWhen(
  harness: DispatcherHarness,
  subscriptionId: string,
  what: string,
  done: (rows: DeliveryRow[]) => boolean,
): Promise<DeliveryRow[]> {
  return eventually(what, async () => {
    const rows = await harness.deliveries(subscriptionId);
    return done(rows) ? rows : undefined;
  });
}

const LISTENER = 'type.googleapis.com/envoy.config.listener.v3.Listener';
const settled = (rows: DeliveryRow[]) => rows.length > 0 && rows.every((row) => row.status !== 'pending');

// Processes start and retries wait on a shared, loaded machine: room beyond `eventually`'s 60 s.
jest.setTimeout(120_000);

describe('webhook-dispatcher delivering events', () => {
  let harness: DispatcherHarness;
  let dispatcher: AppProcess<'webhook-dispatcher'>;
  const receivers: WebhookReceiver[] = [];
  const receiver = async (...args: Parameters<typeof startReceiver>) => {
    const started = await startReceiver(...args);
    receivers.push(started);
    return started;
  };

  beforeAll(async () => {
    harness = await DispatcherHarness.start('webhook_delivery');
    dispatcher = await harness.startDispatcher();
  }, 180_000);

  afterAll(async () => {
    await harness.stop();
    await Promise.all(receivers.map((started) => started.close()));
  });

  it('posts an event written through the api, signed so that the standardwebhooks verifier accepts it', async () => {
    const endpoint = await receiver();
    const subscription = await harness.subscribe(endpoint.url, ['group.changed']);

    const created = await harness.request('POST', '/api/v1/proxy-groups', { name: 'edge' });
    expect(created.status).toBe(201);
    const group = (await created.json()) as { id: string };

    await eventually('the group.changed webhook', () => endpoint.received[0]);
    const [webhook] = endpoint.received as [ReceivedWebhook];
    const event = verified(subscription.secret, webhook);
    expect(event).toMatchObject({
      type: 'group.changed',
      tenantId: harness.tenantId,
      aggregateId: group.id,
      payload: { groupId: group.id, name: 'edge', change: 'created' },
    });
    expect(webhook.headers['webhook-id']).toBe(event.id);
    expect(webhook.headers['content-type']).toBe('application/json');
    const [row] = await attemptsWhen(harness, subscription.id, 'the attempt recorded', settled);
    expect(row).toMatchObject({
      event_id: event.id,
      event_type: 'group.changed',
      attempt: 1,
      status: 'succeeded',
      response_status: 204,
      error: null,
      next_attempt_at: null,
    });
    expect(row?.duration_ms).toEqual(expect.any(Number));

    const listed = await harness.request('GET', `/api/v1/webhooks/${subscription.id}/deliveries`);
    expect(((await listed.json()) as { items: unknown[] }).items).toEqual([
      expect.objectContaining({ eventId: event.id, status: 'succeeded', attempt: 1, responseStatus: 204 }),
    ]);
  });

  it('retries a failing receiver with backoff: two failures then a success are three attempts', async () => {
    const answers = [{ status: 503 }, { status: 500, body: 'database down' }, { status: 200, body: 'ok' }];
    const endpoint = await receiver((index) => answers[index] ?? { status: 200 });
    const subscription = await harness.subscribe(endpoint.url, ['proxy.health.changed']);

    const eventId = await harness.publish(harness.tenantId, 'proxy.health.changed', {
      proxyId: 'p-1',
      nodeId: 'edge-1',
      health: 'unhealthy',
    });

    const rows = await attemptsWhen(harness, subscription.id, 'three attempts', (found) =>
      found.some((row) => row.status === 'succeeded'),
    );
    expect(rows.map((row) => [row.attempt, row.status, row.response_status, row.response_body])).toEqual([
      [1, 'failed', 503, ''],
      [2, 'failed', 500, 'database down'],
      [3, 'succeeded', 200, 'ok'],
    ]);
    expect(rows.map((row) => row.event_id)).toEqual([eventId, eventId, eventId]);
    expect(rows[0]?.error).toBe('the receiver answered 503');
    expect(rows[0]?.next_attempt_at).toEqual(expect.any(Date));
    expect(rows[2]?.next_attempt_at).toBeNull();
    expect(endpoint.received).toHaveLength(3);
    for (const webhook of endpoint.received) {
      expect(verified(subscription.secret, webhook).id).toBe(eventId);
      expect(webhook.headers['webhook-id']).toBe(eventId);
    }
  });

  it("dead-letters a delivery once the subscription's attempts are spent", async () => {
    const endpoint = await receiver(() => ({ status: 502 }));
    const subscription = await harness.subscribe(endpoint.url, ['node.status.changed'], { maxAttempts: 3 });

    await harness.publish(harness.tenantId, 'node.status.changed', { vmId: 'vm-1', status: 'not_ready' });

    const rows = await attemptsWhen(harness, subscription.id, 'the dead letter', (found) =>
      found.some((row) => row.status === 'dead_lettered'),
    );
    expect(rows.map((row) => [row.attempt, row.status])).toEqual([
      [1, 'failed'],
      [2, 'failed'],
      [3, 'dead_lettered'],
    ]);
    expect(rows[2]?.error).toBe('the receiver answered 502; gave up after 3 of 3 attempts');
    expect(rows[2]?.next_attempt_at).toBeNull();
    expect(endpoint.received).toHaveLength(3);
  });

  it('dead-letters a 4xx answer at once, and waits as long as a 429 asks', async () => {
    const refusing = await receiver(() => ({ status: 422, body: '{"error":"unknown event"}' }));
    const limiting = await receiver((index) =>
      index === 0 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 204 },
    );
    const refused = await harness.subscribe(refusing.url, ['group.scaled']);
    const limited = await harness.subscribe(limiting.url, ['group.scaled']);

    await harness.publish(harness.tenantId, 'group.scaled', {
      groupId: 'g',
      name: 'edge',
      desiredReplicas: 3,
    });

    const [refusedRow, ...none] = await attemptsWhen(harness, refused.id, 'the refused attempt', settled);
    expect(none).toEqual([]);
    expect(refusedRow).toMatchObject({
      status: 'dead_lettered',
      response_status: 422,
      response_body: '{"error":"unknown event"}',
      error:
        'the receiver answered 422; not retried (a 4xx other than 408, 425 and 429 refuses the request itself)',
    });
    const limitedRows = await attemptsWhen(harness, limited.id, 'the retried attempt', (found) =>
      found.some((row) => row.status === 'succeeded'),
    );
    expect(limitedRows.map((row) => [row.attempt, row.status, row.response_status])).toEqual([
      [1, 'failed', 429],
      [2, 'succeeded', 204],
    ]);
    // The backoff schedule would have retried after 150-300 ms; Retry-After asked for a second.
    const [delay] = await harness.sql<{ ms: number }>(
      `SELECT extract(epoch FROM next_attempt_at - updated_at) * 1000 AS ms
         FROM webhook_deliveries WHERE id = $1`,
      [limitedRows[0]?.id],
    );
    expect(Number(delay?.ms)).toBe(1_000);
  });

  it('delivers each event only to the subscriptions that want its type', async () => {
    const nodes = await receiver();
    const configs = await receiver();
    const nodeHook = await harness.subscribe(nodes.url, ['node.changed']);
    const configHook = await harness.subscribe(configs.url, ['config.deleted']);

    const nodeEvent = await harness.publish(harness.tenantId, 'node.changed', {
      vmId: 'vm-2',
      hostname: 'vm-2.internal',
      change: 'updated',
    });
    const configEvent = await harness.publish(harness.tenantId, 'config.deleted', {
      configId: 'c-1',
      name: 'edge',
    });

    await attemptsWhen(harness, nodeHook.id, 'the node webhook', settled);
    await attemptsWhen(harness, configHook.id, 'the config webhook', settled);
    expect(nodes.received.map((webhook) => verified(nodeHook.secret, webhook).id)).toEqual([nodeEvent]);
    expect(configs.received.map((webhook) => verified(configHook.secret, webhook).id)).toEqual([configEvent]);
    const queued = await harness.sql<{ event_id: string; subscription_id: string }>(
      'SELECT event_id, subscription_id FROM webhook_deliveries WHERE event_id = ANY($1) ORDER BY event_type',
      [[nodeEvent, configEvent]],
    );
    expect(queued).toEqual([
      { event_id: configEvent, subscription_id: configHook.id },
      { event_id: nodeEvent, subscription_id: nodeHook.id },
    ]);
  });

  it('delivers the proxy reports xds-server batches as events of their own types', async () => {
    const endpoint = await receiver();
    const subscription = await harness.subscribe(endpoint.url, ['proxy.nack']);
    const nack = {
      id: randomUUID(),
      type: 'proxy.nack' as const,
      occurredAt: new Date().toISOString(),
      payload: { nodeId: 'edge-1', typeUrl: LISTENER, version: 'v2', nonce: '7', errorDetail: 'bad filter' },
    };
    const ack = {
      id: randomUUID(),
      type: 'proxy.ack' as const,
      occurredAt: new Date().toISOString(),
      payload: { nodeId: 'edge-1', typeUrl: LISTENER, version: 'v1', nonce: '6' },
    };

    await harness.publish(harness.tenantId, 'proxy.reports', { xdsReplica: 'xds-0', reports: [ack, nack] });

    await attemptsWhen(harness, subscription.id, 'the NACK webhook', settled);
    expect(endpoint.received.map((webhook) => verified(subscription.secret, webhook))).toEqual([
      expect.objectContaining({
        id: nack.id,
        type: 'proxy.nack',
        tenantId: harness.tenantId,
        aggregateId: 'edge-1',
        payload: nack.payload,
      }),
    ]);
  });

  it("delivers a tenant's events to its own subscriptions only", async () => {
    const created = await harness.request('POST', '/api/v1/tenants', { name: 'tenant-b', displayName: 'B' });
    expect(created.status).toBe(201);
    const tenantB = (await created.json()) as { id: string; adminApiKey: { secret: string } };
    const ours = await receiver();
    const theirs = await receiver();
    const ourHook = await harness.subscribe(ours.url, ['config.created']);
    const theirHook = await harness.subscribe(theirs.url, ['config.created'], {
      token: tenantB.adminApiKey.secret,
    });

    const theirEvent = await harness.publish(tenantB.id, 'config.created', { configId: 'c-b', name: 'b' });
    const ourEvent = await harness.publish(harness.tenantId, 'config.created', {
      configId: 'c-a',
      name: 'a',
    });

    await attemptsWhen(harness, ourHook.id, "our tenant's webhook", settled);
    await attemptsWhen(harness, theirHook.id, "the other tenant's webhook", settled);
    expect(ours.received.map((webhook) => verified(ourHook.secret, webhook))).toEqual([
      expect.objectContaining({ id: ourEvent, tenantId: harness.tenantId }),
    ]);
    expect(theirs.received.map((webhook) => verified(theirHook.secret, webhook))).toEqual([
      expect.objectContaining({ id: theirEvent, tenantId: tenantB.id }),
    ]);
    const rows = await harness.sql<{ tenant_id: string; subscription_id: string }>(
      'SELECT tenant_id, subscription_id FROM webhook_deliveries WHERE event_id = $1',
      [theirEvent],
    );
    expect(rows).toEqual([{ tenant_id: tenantB.id, subscription_id: theirHook.id }]);
  });

  it('refuses to deliver to a link-local (cloud metadata) address, without retrying', async () => {
    const subscription = await harness.subscribe('http://169.254.169.254/latest/meta-data/', [
      'template.changed',
    ]);

    await harness.publish(harness.tenantId, 'template.changed', {
      templateId: 't-1',
      name: 'edge',
      change: 'created',
    });

    const [row, ...none] = await attemptsWhen(harness, subscription.id, 'the refused attempt', settled);
    expect(none).toEqual([]);
    expect(row).toMatchObject({
      status: 'dead_lettered',
      response_status: null,
      error: 'refused to deliver to 169.254.169.254: 169.254.169.254 is link-local (cloud metadata service)',
    });
  });

  it('replays a dead-lettered delivery as a new attempt, with the same webhook id', async () => {
    let fixed = false;
    const endpoint = await receiver(() => (fixed ? { status: 204 } : { status: 400 }));
    const subscription = await harness.subscribe(endpoint.url, ['binding.changed']);
    const eventId = await harness.publish(harness.tenantId, 'binding.changed', {
      bindingId: 'b-1',
      configId: null,
      change: 'created',
    });
    const [refused] = await attemptsWhen(harness, subscription.id, 'the refused attempt', settled);
    expect(refused).toMatchObject({ attempt: 1, status: 'dead_lettered', response_status: 400 });

    fixed = true;
    const replayed = await harness.request(
      'POST',
      `/api/v1/webhooks/${subscription.id}/deliveries/${refused?.id}/replay`,
    );

    expect(replayed.status).toBe(202);
    expect(await replayed.json()).toMatchObject({
      eventId,
      attempt: 2,
      status: 'pending',
      replayOfId: refused?.id,
    });
    const rows = await attemptsWhen(harness, subscription.id, 'the replayed attempt', (found) =>
      found.some((row) => row.status === 'succeeded'),
    );
    expect(rows.map((row) => [row.attempt, row.status, row.response_status, row.replay_of_id])).toEqual([
      [1, 'dead_lettered', 400, null],
      [2, 'succeeded', 204, refused?.id],
    ]);
    expect(endpoint.received.map((webhook) => verified(subscription.secret, webhook).id)).toEqual([
      eventId,
      eventId,
    ]);
  });

  it('counts attempts by result in /metrics', async () => {
    const metrics = await (await fetch(`${dispatcher.url}/metrics`)).text();

    expect(metrics).toMatch(/^envoy_fleet_webhook_deliveries_total\{result="succeeded",[^}]*\} [1-9]/m);
    expect(metrics).toMatch(/^envoy_fleet_webhook_deliveries_total\{result="failed",[^}]*\} [1-9]/m);
    expect(metrics).toMatch(/^envoy_fleet_webhook_deliveries_total\{result="dead_lettered",[^}]*\} [1-9]/m);
    expect(metrics).toMatch(
      /^envoy_fleet_webhook_attempt_duration_seconds_count\{[^}]*result="succeeded"[^}]*\} [1-9]/m,
    );
    expect(metrics).toMatch(/^envoy_fleet_webhook_due_attempts\{[^}]*\} \d+$/m);
  });
});
