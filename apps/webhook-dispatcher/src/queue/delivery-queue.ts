import { type DomainEvent, type EventType, formatActor, type JsonObject } from '@envoy-fleet/domain';
import { withSystem, withTenant } from '@envoy-fleet/db';
import type { DataSource } from 'typeorm';
import type { AttemptVerdict } from '../delivery/attempt-verdict';

const ACTOR = formatActor({ kind: 'system', component: 'webhook-dispatcher' });

/** A due attempt this replica has claimed, with what sending it needs. */
export interface ClaimedAttempt {
  readonly id: string;
  readonly tenantId: string;
  readonly subscriptionId: string;
  readonly eventId: string;
  readonly eventType: EventType;
  readonly attempt: number;
  /** The event envelope, posted as it is. */
  readonly payload: JsonObject;
  /** The row's version after the claim: recording the outcome requires it unchanged. */
  readonly version: number;
  readonly url: string;
  /** The signing secret as the api sealed it. */
  readonly sealedSecret: string;
  readonly maxAttempts: number;
}

export interface ClaimRequest {
  readonly limit: number;
  /** How long the claim holds each attempt: longer than an attempt may take. */
  readonly leaseMs: number;
  /** Attempts of one subscription in flight at once on this replica. */
  readonly perSubscription: number;
  /** This replica's attempts in flight, by subscription id. */
  readonly inFlight: ReadonlyMap<string, number>;
}

/** What the attempt's row records besides its verdict. */
export interface AttemptRecord {
  readonly verdict: AttemptVerdict;
  readonly responseStatus: number | null;
  readonly responseBody: string | null;
  readonly durationMs: number;
}

interface ClaimedRow {
  readonly id: string;
  readonly tenant_id: string;
  readonly subscription_id: string;
  readonly event_id: string;
  readonly event_type: EventType;
  readonly attempt: number;
  readonly payload: JsonObject;
  readonly version: number;
  readonly url: string;
  readonly secret: string;
  readonly max_attempts: number;
}

/**
 * The delivery queue is `webhook_deliveries`: a pending row is an attempt due at `next_attempt_at`.
 * Events become first attempts in their tenant's transaction (row-level security keeps every tenant's
 * subscriptions to its own events); replicas claim due attempts across tenants as the system
 * role, each row once (FOR UPDATE SKIP LOCKED), by moving its due time a lease ahead: an attempt whose
 * sender dies is due again when the lease ends.
 */
export class DeliveryQueue {
  constructor(
    private readonly dataSource: DataSource,
    private readonly systemDataSource: DataSource,
  ) {}

  /**
   * Queues each event's first attempt for every enabled subscription of the tenant that wants its type;
   * an event queued before (a redelivery) queues nothing more: one delivery per subscription and event.
   * Returns how many attempts were queued.
   */
  async enqueue(tenantId: string, events: readonly DomainEvent[]): Promise<number> {
    if (events.length === 0) return 0;
    const rows = await withTenant(this.dataSource, { tenantId, actor: ACTOR }, (manager) =>
      manager.query<{ id: string }[]>(
        `INSERT INTO webhook_deliveries
           (tenant_id, subscription_id, event_id, event_type, attempt, status, payload, next_attempt_at)
         SELECT subscription.tenant_id, subscription.id, event.id, event.type, 1, 'pending', event.body, now()
           FROM unnest($1::uuid[], $2::text[], $3::jsonb[]) AS event (id, type, body)
           JOIN webhook_subscriptions subscription
             ON subscription.enabled AND event.type = ANY (subscription.event_types)
         ON CONFLICT DO NOTHING
         RETURNING id`,
        [
          events.map((event) => event.id),
          events.map((event) => event.type),
          events.map((event) => JSON.stringify(event)),
        ],
      ),
    );
    return rows.length;
  }

  /**
   * Claims up to `limit` due attempts of enabled subscriptions, oldest due first, for `leaseMs`, and no
   * more of one subscription than it has room for: `perSubscription` less what `inFlight` counts for it
   * (this replica's attempts in flight), so that a slow receiver cannot take every slot from the others.
   * Each subscription's oldest due attempts are read from the index of pending attempts by subscription
   * and due time, so a claim costs a few index reads per subscription, however long the backlog.
   * Attempts of a disabled subscription wait, pending, until it is enabled again.
   */
  async claim(request: ClaimRequest): Promise<ClaimedAttempt[]> {
    const busy = [...request.inFlight];
    const rows = await withSystem(this.systemDataSource, { actor: ACTOR }, (manager) =>
      manager.query<ClaimedRow[]>(
        `WITH busy AS (
             SELECT * FROM unnest($3::uuid[], $4::int[]) AS busy (subscription_id, in_flight)
           ), candidates AS (
             SELECT pending.id
               FROM webhook_subscriptions subscription
               LEFT JOIN busy ON busy.subscription_id = subscription.id
              CROSS JOIN LATERAL (
                      SELECT delivery.id
                        FROM webhook_deliveries delivery
                       WHERE delivery.subscription_id = subscription.id
                         AND delivery.status = 'pending' AND delivery.next_attempt_at <= now()
                       ORDER BY delivery.next_attempt_at
                       LIMIT greatest($5 - coalesce(busy.in_flight, 0), 0)
                    ) pending
              WHERE subscription.enabled
           ), due AS (
             SELECT delivery.id
               FROM webhook_deliveries delivery
              WHERE delivery.id IN (SELECT id FROM candidates)
                -- Checked again on the row as locked: another replica may have claimed it meanwhile.
                AND delivery.status = 'pending' AND delivery.next_attempt_at <= now()
              ORDER BY delivery.next_attempt_at
              LIMIT $1
                FOR UPDATE SKIP LOCKED
           ), claimed AS (
             UPDATE webhook_deliveries delivery
                SET next_attempt_at = now() + $2::double precision * interval '1 millisecond'
               FROM due, webhook_subscriptions subscription
              WHERE delivery.id = due.id
                AND subscription.tenant_id = delivery.tenant_id AND subscription.id = delivery.subscription_id
             RETURNING delivery.id, delivery.tenant_id, delivery.subscription_id, delivery.event_id,
                       delivery.event_type, delivery.attempt, delivery.payload, delivery.version,
                       subscription.url, subscription.secret, subscription.max_attempts
           )
           SELECT * FROM claimed`,
        [
          request.limit,
          request.leaseMs,
          busy.map(([subscriptionId]) => subscriptionId),
          busy.map(([, count]) => count),
          request.perSubscription,
        ],
      ),
    );
    return rows.map((row) => ({
      id: row.id,
      tenantId: row.tenant_id,
      subscriptionId: row.subscription_id,
      eventId: row.event_id,
      eventType: row.event_type,
      attempt: row.attempt,
      payload: row.payload,
      version: row.version,
      url: row.url,
      sealedSecret: row.secret,
      maxAttempts: row.max_attempts,
    }));
  }

  /**
   * Records an attempt's outcome on its row and, for a failure that is retried, queues the next attempt
   * for when the retry is due (the failed row shows that time too). False when the row changed since
   * the claim (its lease ran out and another replica took it, or its subscription was deleted): then
   * nothing is written.
   */
  record(claimed: ClaimedAttempt, record: AttemptRecord): Promise<boolean> {
    const { verdict } = record;
    const retryInMs = verdict.status === 'failed' ? verdict.retryInMs : null;
    return withSystem(this.systemDataSource, { actor: ACTOR }, async (manager) => {
      const updated = await manager.query<{ id: string }[]>(
        `WITH updated AS (
           UPDATE webhook_deliveries
              SET status = $3, response_status = $4, response_body = $5, error = $6, duration_ms = $7,
                  next_attempt_at = now() + $8::double precision * interval '1 millisecond'
            WHERE id = $1 AND version = $2 AND status = 'pending'
           RETURNING id
         )
         SELECT id FROM updated`,
        [
          claimed.id,
          claimed.version,
          verdict.status,
          record.responseStatus,
          record.responseBody,
          verdict.status === 'succeeded' ? null : verdict.error,
          record.durationMs,
          retryInMs,
        ],
      );
      if (updated.length === 0) return false;
      if (retryInMs !== null) {
        await manager.query(
          `INSERT INTO webhook_deliveries
             (tenant_id, subscription_id, event_id, event_type, attempt, status, payload, next_attempt_at)
           SELECT tenant_id, subscription_id, event_id, event_type, attempt + 1, 'pending', payload, next_attempt_at
             FROM webhook_deliveries
            WHERE id = $1
           ON CONFLICT DO NOTHING`,
          [claimed.id],
        );
      }
      return true;
    });
  }

  /** Attempts of enabled subscriptions that are due and not claimed: the backlog, for the metrics. */
  async dueCount(): Promise<number> {
    const [row] = await withSystem(this.systemDataSource, { actor: ACTOR }, (manager) =>
      manager.query<{ due: number }[]>(
        `SELECT count(*)::int AS due
           FROM webhook_deliveries delivery
           JOIN webhook_subscriptions subscription
             ON subscription.tenant_id = delivery.tenant_id AND subscription.id = delivery.subscription_id
          WHERE delivery.status = 'pending' AND delivery.next_attempt_at <= now() AND subscription.enabled`,
      ),
    );
    return row?.due ?? 0;
  }
}
