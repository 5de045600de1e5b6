import { randomBytes, randomUUID } from 'node:crypto';
import { createEvent, type EventPayloads, type EventType } from '@envoy-fleet/domain';
import { appendEvents, createDataSource, runMigrations, withTenant } from '@envoy-fleet/db';
import { createTestDatabase, type TestDatabase } from '@envoy-fleet/test-kit/database';
import { TEST_NATS_URL } from '@envoy-fleet/test-kit/nats';
import { freePort } from '@envoy-fleet/test-kit/net';
import { type AppProcess, startApp } from '@envoy-fleet/test-kit/stack';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';

/** What the dispatcher under test is started with unless a test says otherwise: fast retries. */
const DISPATCHER_TEST_SETTINGS = {
  WEBHOOK_ALLOW_LOOPBACK: 'true',
  WEBHOOK_RETRY_BASE_MS: '300',
  WEBHOOK_RETRY_MAX_MS: '1000',
  WEBHOOK_POLL_INTERVAL_MS: '100',
  WEBHOOK_TIMEOUT_MS: '3000',
};

export interface DeliveryRow {
  readonly id: string;
  readonly tenant_id: string;
  readonly subscription_id: string;
  readonly event_id: string;
  readonly event_type: string;
  readonly attempt: number;
  readonly status: string;
  readonly response_status: number | null;
  readonly response_body: string | null;
  readonly error: string | null;
  readonly duration_ms: number | null;
  readonly next_attempt_at: Date | null;
  readonly replay_of_id: string | null;
}

export interface CreatedSubscription {
  readonly id: string;
  readonly secret: string;
}

/**
 * The api (REST, outbox relay) as a process on a fresh database and a NATS namespace of its own, and
 * webhook-dispatcher processes started against the same, as many as a test asks for.
 */
export class DispatcherHarness {
  private readonly dispatchers = new Set<AppProcess<'webhook-dispatcher'>>();

  private constructor(
    readonly database: TestDatabase,
    private readonly api: AppProcess<'api'>,
    private readonly appDataSource: DataSource,
    private readonly adminKey: string,
    private readonly shared: Readonly<Record<string, string>>,
    /** The default tenant's id. */
    readonly tenantId: string,
  ) {}

  static async start(label: string): Promise<DispatcherHarness> {
    const database = await createTestDatabase({ migrate: runMigrations, label });
    const adminKey = `webhook-admin-${randomBytes(16).toString('hex')}`;
    const shared = {
      LOG_LEVEL: 'warn',
      HTTP_HOST: '127.0.0.1',
      NATS_URL: TEST_NATS_URL,
      NATS_NAMESPACE: `${label}_${randomBytes(4).toString('hex')}`,
      DATABASE_URL: database.appUrl,
      DATABASE_SYSTEM_URL: database.systemUrl,
      SECRET_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    };
    let api: AppProcess<'api'> | undefined;
    try {
      api = await startApp('api', {
        ...shared,
        HTTP_PORT: await freePort(),
        GRPC_PORT: await freePort(),
        JWT_SECRET: randomBytes(32).toString('hex'),
        FLEET_BOOTSTRAP_TOKEN: adminKey,
      });
      const appDataSource = await createDataSource({ url: database.appUrl }).initialize();
      const [tenant] = await sql<{ id: string }>(database, "SELECT id FROM tenants WHERE name = 'default'");
      if (tenant === undefined) throw new Error('the api created no default tenant');
      return new DispatcherHarness(database, api, appDataSource, adminKey, shared, tenant.id);
    } catch (error) {
      await api?.stop();
      await database.drop();
      throw error;
    }
  }

  /** Starts a webhook-dispatcher process; `env` adds to or overrides the test settings. */
  async startDispatcher(env: Record<string, string> = {}): Promise<AppProcess<'webhook-dispatcher'>> {
    const dispatcher = await startApp('webhook-dispatcher', {
      ...this.shared,
      ...DISPATCHER_TEST_SETTINGS,
      HTTP_PORT: await freePort(),
      ...env,
    });
    this.dispatchers.add(dispatcher);
    return dispatcher;
  }

  /** The dispatchers started and not stopped yet. */
  runningDispatchers(): AppProcess<'webhook-dispatcher'>[] {
    return [...this.dispatchers];
  }

  async stopDispatcher(dispatcher: AppProcess<'webhook-dispatcher'>): Promise<void> {
    await dispatcher.stop();
    this.dispatchers.delete(dispatcher);
  }

  /** `fetch` against the api as the installation admin (or with `token`); `body` is sent as JSON. */
  request(method: string, path: string, body?: unknown, token = this.adminKey): Promise<Response> {
    return fetch(`${this.api.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  /** Creates a subscription through the api, which generates its secret and stores it sealed. */
  async subscribe(
    url: string,
    eventTypes: readonly EventType[],
    options: { readonly maxAttempts?: number; readonly token?: string } = {},
  ): Promise<CreatedSubscription> {
    const response = await this.request(
      'POST',
      '/api/v1/webhooks',
      { name: `hook-${randomUUID()}`, url, eventTypes, maxAttempts: options.maxAttempts ?? 8 },
      options.token,
    );
    if (response.status !== 201) {
      throw new Error(`creating a subscription answered ${response.status}: ${await response.text()}`);
    }
    return (await response.json()) as CreatedSubscription;
  }

  /** Writes an event to the outbox in a tenant transaction, as the api does; its relay publishes it. */
  async publish<T extends EventType>(tenantId: string, type: T, payload: EventPayloads[T]): Promise<string> {
    const event = createEvent(type, { id: randomUUID(), tenantId, aggregateId: randomUUID(), payload });
    await withTenant(this.appDataSource, { tenantId, actor: 'system:webhook-test' }, (manager) =>
      appendEvents(manager, [event]),
    );
    return event.id;
  }

  /** Runs SQL as the table owner, past row-level security. */
  sql<T>(text: string, parameters: unknown[] = []): Promise<T[]> {
    return sql<T>(this.database, text, parameters);
  }

  /** The attempts of one subscription, by event and attempt. */
  deliveries(subscriptionId: string): Promise<DeliveryRow[]> {
    return sql<DeliveryRow>(
      this.database,
      'SELECT * FROM webhook_deliveries WHERE subscription_id = $1 ORDER BY event_id, attempt',
      [subscriptionId],
    );
  }

  async stop(): Promise<void> {
    for (const dispatcher of this.dispatchers) await dispatcher.stop();
    await this.api.stop();
    await this.appDataSource.destroy();
    await this.database.drop();
  }
}

/** Runs SQL as the table owner, past row-level security. */
export async function sql<T>(database: TestDatabase, text: string, parameters: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: database.adminUrl });
  await client.connect();
  try {
    return (await client.query(text, parameters)).rows as T[];
  } finally {
    await client.end();
  }
}

/** Polls `probe` until it returns a value (not undefined), or fails naming `what` after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
