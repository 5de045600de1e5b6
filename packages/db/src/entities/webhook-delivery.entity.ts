import { type EventType, type JsonObject, type WebhookDeliveryStatus } from '@envoy-fleet/domain';
import { Check, Column, Entity, Index, JoinColumn, ManyToOne, type Relation, Unique } from 'typeorm';
import { sameTenant } from './same-tenant.join';
import { MutableTenantOwnedEntity } from './tenant-owned.entity';
import { WebhookSubscriptionEntity } from './webhook-subscription.entity';

/**
 * One row per attempt [API-WH-003]. A pending row is an attempt due at `nextAttemptAt`: the webhook
 * dispatcher's queue, claimed with FOR UPDATE SKIP LOCKED; an event has at most one pending attempt per
 * subscription.
 */
@Entity({ name: 'webhook_deliveries' })
@Unique(['subscriptionId', 'eventId', 'attempt'])
@Index(['tenantId', 'status'])
@Index(['subscriptionId', 'createdAt'])
@Index('ix_webhook_deliveries_subscription_due', ['subscriptionId', 'nextAttemptAt'], {
  where: "status = 'pending'",
})
@Index('uq_webhook_deliveries_pending', ['subscriptionId', 'eventId'], {
  unique: true,
  where: "status = 'pending'",
})
@Check('ck_webhook_deliveries_attempt', `attempt >= 1`)
@Check('ck_webhook_deliveries_status', `status IN ('pending', 'succeeded', 'failed', 'dead_lettered')`)
@Check('ck_webhook_deliveries_response_status', `response_status BETWEEN 100 AND 599`)
@Check('ck_webhook_deliveries_duration_ms', `duration_ms >= 0`)
@Check('ck_webhook_deliveries_payload', `jsonb_typeof(payload) = 'object'`)
@Check('ck_webhook_deliveries_pending_due', `status <> 'pending' OR next_attempt_at IS NOT NULL`)
export class WebhookDeliveryEntity extends MutableTenantOwnedEntity {
  @Column({ type: 'uuid' })
  subscriptionId!: string;

  @ManyToOne(() => WebhookSubscriptionEntity, { onDelete: 'CASCADE' })
  @JoinColumn(sameTenant('subscription_id'))
  subscription?: Relation<WebhookSubscriptionEntity>;

  @Column({ type: 'uuid' })
  eventId!: string;

  @Column({ type: 'text' })
  eventType!: EventType;

  @Column({ type: 'integer' })
  attempt!: number;

  @Column({ type: 'text', default: 'pending' })
  status!: WebhookDeliveryStatus;

  @Column({ type: 'jsonb' })
  payload!: JsonObject;

  @Column({ type: 'integer', nullable: true })
  responseStatus!: number | null;

  @Column({ type: 'text', nullable: true })
  responseBody!: string | null;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Column({ type: 'integer', nullable: true })
  durationMs!: number | null;

  @Column({ type: 'timestamptz', nullable: true })
  nextAttemptAt!: Date | null;

  /** The delivery an operator replayed with this attempt; null for the event's own attempts and retries. */
  @Column({ type: 'uuid', nullable: true })
  replayOfId!: string | null;
}
