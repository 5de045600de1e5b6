import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { describeError } from '../delivery';
import { silentLogger, type EventPublisher, type MessagingLogger } from '../event-bus';
import { withExtractedContext } from '../trace-context';
import { outboxRowToEvent, type OutboxRow } from './outbox-row';
import { WakeSignal } from './wake-signal';

export interface OutboxRelayOptions {
  /** A role that may read the outbox and mark rows published: the system role (`DATABASE_SYSTEM_URL`). */
  readonly databaseUrl: string;
  readonly publisher: EventPublisher;
  readonly logger?: MessagingLogger;
  /** Rows read per query (default 100). */
  readonly batchSize?: number;
  /** Besides each NOTIFY, the relay looks at the outbox this often, in case one was missed (default 5 s). */
  readonly fallbackIntervalMs?: number;
  /** Wait after a failed publish or a lost database connection: doubles from `initialMs` to `maxMs`
   *  (defaults 250 ms and 5 s). */
  readonly retryDelay?: { readonly initialMs: number; readonly maxMs: number };
}

/** `stopped`; `standby`: waiting for the relay lock another replica holds; `active`: relaying. */
export type OutboxRelayState = 'stopped' | 'standby' | 'active';

/** Session advisory lock held by the active relay: the bytes of "outbox". */
const RELAY_LOCK_KEY = '122511779164280';
const NOTIFY_CHANNEL = 'outbox';
const APPLICATION_NAME = 'envoy-fleet-outbox-relay';

const SELECT_UNPUBLISHED = `
  SELECT id, event_id, type, tenant_id, aggregate_id, payload, headers, occurred_at
  FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT $1`;
const MARK_PUBLISHED = `UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[])`;

/**
 * Publishes what the outbox table holds, in id order, each event with its id as the JetStream
 * de-duplication id, then marks it published. One relay is active across all replicas (a session
 * advisory lock; the others wait on it and take over when its holder's connection ends), so events
 * of an aggregate go out in the order they were written. It wakes on `NOTIFY outbox` and on a slow
 * timer; when publishing fails (NATS is down) it keeps the rows, backs off and tries again, and when
 * the database connection drops it reconnects and listens again.
 */
export class OutboxRelay {
  private readonly logger: MessagingLogger;
  private readonly batchSize: number;
  private readonly fallbackIntervalMs: number;
  private readonly retryDelay: { readonly initialMs: number; readonly maxMs: number };
  private readonly wake = new WakeSignal();
  private currentState: OutboxRelayState = 'stopped';
  private running: Promise<void> | undefined;
  private stopping = new AbortController();
  private client: Client | undefined;

  constructor(private readonly options: OutboxRelayOptions) {
    this.logger = options.logger ?? silentLogger;
    this.batchSize = options.batchSize ?? 100;
    this.fallbackIntervalMs = options.fallbackIntervalMs ?? 5_000;
    this.retryDelay = options.retryDelay ?? { initialMs: 250, maxMs: 5_000 };
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) {
      throw new Error(`batchSize must be a positive integer, got ${this.batchSize}`);
    }
  }

  get state(): OutboxRelayState {
    return this.currentState;
  }

  /** Starts relaying in the background (or standing by for the lock); errors are logged and retried. */
  start(): void {
    if (this.running) throw new Error('the outbox relay is already running');
    this.stopping = new AbortController();
    this.running = this.runUntilStopped();
  }

  /** Finishes the batch in progress (marking what it published), releases the lock and disconnects. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.stopping.abort();
    this.wake.fire();
    // A standby relay is blocked on the lock: ending its connection is the only way to stop waiting.
    if (this.currentState !== 'active') await this.client?.end().catch(() => undefined);
    await this.running;
    this.running = undefined;
  }

  private get stopped(): boolean {
    return this.stopping.signal.aborted;
  }

  private async runUntilStopped(): Promise<void> {
    for (let failures = 0; !this.stopped;) {
      const client = new Client({
        connectionString: this.options.databaseUrl,
        application_name: APPLICATION_NAME,
        keepAlive: true,
      });
      let connectionLost: Error | undefined;
      client.on('error', (error) => {
        connectionLost = error;
        this.wake.fire();
      });
      client.on('notification', () => this.wake.fire());
      this.client = client;
      try {
        await client.connect();
        this.currentState = 'standby';
        await client.query('SELECT pg_advisory_lock($1::bigint)', [RELAY_LOCK_KEY]);
        await client.query(`LISTEN ${NOTIFY_CHANNEL}`);
        this.currentState = 'active';
        this.logger.info({}, 'the outbox relay is active');
        failures = 0;
        await this.relayWhileConnected(client, () => connectionLost);
      } catch (error) {
        if (!this.stopped) {
          failures += 1;
          const delayMs = this.backoff(failures);
          this.logger.warn(
            { err: describeError(error), delayMs },
            'the outbox relay lost its database connection',
          );
          await this.pause(delayMs);
        }
      } finally {
        this.currentState = 'stopped';
        this.client = undefined;
        await client.end().catch(() => undefined);
      }
    }
  }

  private async relayWhileConnected(client: Client, connectionLost: () => Error | undefined): Promise<void> {
    for (let failures = 0; !this.stopped;) {
      const lost = connectionLost();
      if (lost) throw lost;
      this.wake.clear();
      const failure = await this.publishPending(client);
      if (failure === undefined) {
        failures = 0;
        await this.wake.wait(this.fallbackIntervalMs);
        continue;
      }
      failures += 1;
      const delayMs = this.backoff(failures);
      this.logger.warn(
        { err: describeError(failure), delayMs },
        'cannot publish an outbox event; it stays in the outbox and will be retried',
      );
      // Notifications do not shorten this wait: during an outage they would turn it into a busy loop.
      await this.pause(delayMs);
    }
  }

  /** Publishes batches until the outbox is empty; returns the publish error that stopped it, if any. */
  private async publishPending(client: Client): Promise<unknown> {
    for (;;) {
      const { rows } = await client.query<OutboxRow>(SELECT_UNPUBLISHED, [this.batchSize]);
      const published: string[] = [];
      let failure: unknown;
      for (const row of rows) {
        if (this.stopped) break;
        try {
          const { event, headers } = outboxRowToEvent(row);
          await withExtractedContext(headers, () => this.options.publisher.publish(event));
          published.push(row.id);
        } catch (error) {
          failure = error;
          break;
        }
      }
      if (published.length > 0) await client.query(MARK_PUBLISHED, [published]);
      if (failure !== undefined) return failure;
      if (this.stopped || rows.length < this.batchSize) return undefined;
    }
  }

  private backoff(failures: number): number {
    return Math.min(this.retryDelay.initialMs * 2 ** Math.min(failures - 1, 20), this.retryDelay.maxMs);
  }

  /** Waits, unless the relay is stopped meanwhile. */
  private async pause(delayMs: number): Promise<void> {
    await sleep(delayMs, undefined, { signal: this.stopping.signal }).catch(() => undefined);
  }
}
