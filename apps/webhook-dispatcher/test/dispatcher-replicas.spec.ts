import type { AppProcess } from '@envoy-fleet/test-kit/stack';
import { Webhook } from 'standardwebhooks';
import { type DeliveryRow, DispatcherHarness, eventually } from './support/dispatcher-harness';
import { startReceiver, type WebhookReceiver } from './support/webhook-receiver';

/** Retries slow enough that a dispatcher can be stopped between two attempts. */
const SLOW_RETRIES = { WEBHOOK_RETRY_BASE_MS: '10000', WEBHOOK_RETRY_MAX_MS: '10000' };

function succeededCount(metrics: string): number {
  const match = /^envoy_fleet_webhook_deliveries_total\{result="succeeded",[^}]*\} (\d+)$/m.exec(metrics);
  return Number(match?.[1] ?? 0);
}

// Processes start and retries wait on a shared, loaded machine: room beyond `eventually`'s 60 s.
jest.setTimeout(120_000);

describe('webhook-dispatcher replicas and restarts', () => {
  let harness: DispatcherHarness;
  const receivers: WebhookReceiver[] = [];
  const receiver = async (...args: Parameters<typeof startReceiver>) => {
    const started = await startReceiver(...args);
    receivers.push(started);
    return started;
  };
  const attemptsWhen = (subscriptionId: string, what: string, done: (rows: DeliveryRow[]) => boolean) =>
    eventually(what, async () => {
      const rows = await harness.deliveries(subscriptionId);
      return done(rows) ? rows : undefined;
    });

  beforeAll(async () => {
    harness = await DispatcherHarness.start('webhook_replicas');
  }, 180_000);

  afterAll(async () => {
    await harness.stop();
    await Promise.all(receivers.map((started) => started.close()));
  });

  it('still delivers after a restart between two attempts: the retry is kept in PostgreSQL', async () => {
    let healthy = false;
    const endpoint = await receiver(() => ({ status: healthy ? 204 : 503 }));
    const subscription = await harness.subscribe(endpoint.url, ['proxy.changed']);
    const first = await harness.startDispatcher(SLOW_RETRIES);

    const eventId = await harness.publish(harness.tenantId, 'proxy.changed', {
      proxyId: 'p-1',
      nodeId: 'edge-1',
      change: 'created',
    });
    await attemptsWhen(subscription.id, 'the first, failed attempt', (rows) => rows[0]?.status === 'failed');
    await harness.stopDispatcher(first);
    healthy = true;
    await harness.startDispatcher(SLOW_RETRIES);

    const rows = await attemptsWhen(subscription.id, 'the retry after the restart', (found) =>
      found.some((row) => row.status === 'succeeded'),
    );
    expect(rows.map((row) => [row.attempt, row.status, row.response_status])).toEqual([
      [1, 'failed', 503],
      [2, 'succeeded', 204],
    ]);
    expect(endpoint.received.map((webhook) => webhook.headers['webhook-id'])).toEqual([eventId, eventId]);
  });

  it('finishes and records the attempt in flight when it is stopped', async () => {
    for (const running of harness.runningDispatchers()) await harness.stopDispatcher(running);
    let arrived: () => void = () => undefined;
    const requestArrived = new Promise<void>((resolve) => (arrived = resolve));
    let answer: () => void = () => undefined;
    const answered = new Promise<void>((resolve) => (answer = resolve));
    const endpoint = await receiver(async () => {
      arrived();
      await answered;
      return { status: 200, body: 'slow but fine' };
    });
    const subscription = await harness.subscribe(endpoint.url, ['rollout.changed']);
    const dispatcher = await harness.startDispatcher();

    await harness.publish(harness.tenantId, 'rollout.changed', {
      rolloutId: 'r-1',
      configVersionId: 'v-1',
      state: 'running',
      wave: 1,
    });
    await requestArrived;
    const stopping = harness.stopDispatcher(dispatcher);
    // Shutting down closes the HTTP server first, then waits for the attempts in flight.
    await eventually('the dispatcher to shut down its HTTP server', () =>
      fetch(`${dispatcher.url}/healthz`).then(
        () => undefined,
        () => true,
      ),
    );
    answer();
    await stopping;

    expect(await harness.deliveries(subscription.id)).toEqual([
      expect.objectContaining({ attempt: 1, status: 'succeeded', response_body: 'slow but fine' }),
    ]);
    expect(endpoint.received).toHaveLength(1);
  });

  it('keeps sending to other subscriptions while one receiver holds its share of the slots', async () => {
    for (const running of harness.runningDispatchers()) await harness.stopDispatcher(running);
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    const slow = await receiver(async () => {
      await released;
      return { status: 204 };
    });
    const fast = await receiver();
    const slowHook = await harness.subscribe(slow.url, ['config.updated']);
    const fastHook = await harness.subscribe(fast.url, ['config.version.created']);
    const dispatcher = await harness.startDispatcher({
      WEBHOOK_CONCURRENCY: '4',
      WEBHOOK_CONCURRENCY_PER_SUBSCRIPTION: '2',
      WEBHOOK_TIMEOUT_MS: '120000',
    });

    for (let index = 0; index < 6; index += 1) {
      await harness.publish(harness.tenantId, 'config.updated', {
        configId: `c-${index}`,
        name: `c-${index}`,
      });
    }
    await eventually('two held requests', () => (slow.received.length >= 2 ? true : undefined));
    await harness.publish(harness.tenantId, 'config.version.created', {
      configId: 'c-0',
      versionId: 'v-1',
      version: 1,
      contentHash: 'sha256:0',
    });

    await attemptsWhen(
      fastHook.id,
      'the other subscription served',
      (rows) => rows[0]?.status === 'succeeded',
    );
    expect(slow.received).toHaveLength(2);
    release();
    const rows = await attemptsWhen(
      slowHook.id,
      'the slow receiver served',
      (found) => found.length === 6 && found.every((row) => row.status === 'succeeded'),
    );
    expect(rows.map((row) => row.attempt)).toEqual([1, 1, 1, 1, 1, 1]);
    await harness.stopDispatcher(dispatcher);
  });

  it('delivers each event once with two replicas sharing the work', async () => {
    for (const running of harness.runningDispatchers()) await harness.stopDispatcher(running);
    const endpoint = await receiver();
    const subscription = await harness.subscribe(endpoint.url, ['group.changed']);
    const replicas: AppProcess<'webhook-dispatcher'>[] = [
      await harness.startDispatcher(),
      await harness.startDispatcher(),
    ];

    const eventIds = new Set<string>();
    for (let index = 0; index < 40; index += 1) {
      eventIds.add(
        await harness.publish(harness.tenantId, 'group.changed', {
          groupId: `g-${index}`,
          name: `group-${index}`,
          change: 'updated',
        }),
      );
    }

    const rows = await attemptsWhen(
      subscription.id,
      'every event delivered',
      (found) => found.filter((row) => row.status === 'succeeded').length === eventIds.size,
    );
    expect(rows).toHaveLength(eventIds.size);
    expect(new Set(rows.map((row) => row.event_id))).toEqual(eventIds);
    expect(endpoint.received).toHaveLength(eventIds.size);
    const delivered = endpoint.received.map(
      (webhook) =>
        (
          new Webhook(subscription.secret).verify(
            webhook.body,
            webhook.headers as Record<string, string>,
          ) as {
            id: string;
          }
        ).id,
    );
    expect(new Set(delivered)).toEqual(eventIds);
    const counts = await Promise.all(
      replicas.map(async (replica) => succeededCount(await (await fetch(`${replica.url}/metrics`)).text())),
    );
    expect(counts.reduce((sum, count) => sum + count, 0)).toBe(eventIds.size);
  });
});
