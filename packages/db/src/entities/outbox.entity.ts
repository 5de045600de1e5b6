import { type EventPayloads, type EventType } from '@envoy-fleet/domain';
import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';

/**
 * Domain events written in the same transaction as the change they describe, published to JetStream
 * by the relay. Infrastructure: no RLS, never exposed through the API. An INSERT statement fires
 * `pg_notify('outbox', '')` so the relay wakes without polling.
 */
@Entity({ name: 'outbox' })
@Unique(['eventId'])
@Index('ix_outbox_unpublished', ['id'], { where: 'published_at IS NULL' })
export class OutboxEntity {
  /** bigint: pg returns it as a string. */
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column({ type: 'uuid' })
  eventId!: string;

  @Column({ type: 'text' })
  type!: EventType;

  @Column({ type: 'text' })
  subject!: string;

  @Column({ type: 'uuid', nullable: true })
  tenantId!: string | null;

  @Column({ type: 'text' })
  aggregateId!: string;

  /** The event's payload (`DomainEvent.payload`). */
  @Column({ type: 'jsonb' })
  payload!: EventPayloads[EventType];

  @Column({ type: 'jsonb', default: () => "'{}'" })
  headers!: Record<string, string>;

  @Column({ type: 'timestamptz' })
  occurredAt!: Date;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  publishedAt!: Date | null;
}
