import { type EventType } from '@envoy-fleet/domain';
import { Check, Column, Entity, Index, Unique } from 'typeorm';
import { MutableTenantOwnedEntity } from './tenant-owned.entity';

/** The audit trigger masks `secret`, the Standard Webhooks signing key. */
@Entity({ name: 'webhook_subscriptions' })
@Unique(['tenantId', 'id'])
@Unique(['tenantId', 'name'])
@Check('ck_webhook_subscriptions_name', `char_length(name) BETWEEN 1 AND 255`)
@Check('ck_webhook_subscriptions_url', `url ~ '^https?://[^[:space:]]+$'`)
@Check('ck_webhook_subscriptions_secret', `char_length(secret) >= 24`)
@Check('ck_webhook_subscriptions_event_types', `cardinality(event_types) > 0`)
@Check('ck_webhook_subscriptions_max_attempts', `max_attempts BETWEEN 1 AND 50`)
export class WebhookSubscriptionEntity extends MutableTenantOwnedEntity {
  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  url!: string;

  @Column({ type: 'text' })
  secret!: string;

  @Index('ix_webhook_subscriptions_event_types', { synchronize: false })
  @Column({ type: 'text', array: true })
  eventTypes!: EventType[];

  @Column({ type: 'boolean', default: true })
  enabled!: boolean;

  @Column({ type: 'integer', default: 8 })
  maxAttempts!: number;

  @Column({ type: 'text', default: '' })
  description!: string;
}
