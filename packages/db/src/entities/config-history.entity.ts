import { type ConfigDeliveryStatus, type XdsErrorDetail, type XdsResourceType } from '@envoy-fleet/domain';
import { Check, Column, Entity, Index, JoinColumn, ManyToOne, type Relation, Unique } from 'typeorm';
import { ConfigVersionEntity } from './config-version.entity';
import { ProxyEntity } from './proxy.entity';
import { RolloutEntity } from './rollout.entity';
import { sameTenant } from './same-tenant.join';
import { MutableTenantOwnedEntity } from './tenant-owned.entity';

/** What was sent to each proxy per resource type, and whether Envoy ACKed or NACKed it. */
@Entity({ name: 'config_history' })
@Index(['proxyId', 'sentAt'])
@Index(['configVersionId'])
@Index(['rolloutId'])
@Index(['tenantId', 'status'])
@Unique(['eventId'])
@Check(
  'ck_config_history_resource_type',
  `resource_type IN ('listener', 'route_config', 'cluster', 'endpoint', 'secret')`,
)
@Check('ck_config_history_status', `status IN ('sent', 'acked', 'nacked', 'transient', 'rolled_back')`)
@Index('ix_config_history_withholding', ['configVersionId'], {
  where: `status = 'nacked' AND settled_at IS NOT NULL AND released_at IS NULL`,
})
@Check('ck_config_history_released', `(released_at IS NULL) = (released_by IS NULL)`)
@Check(
  'ck_config_history_error_detail',
  `(status <> 'nacked' OR error_detail IS NOT NULL) AND jsonb_typeof(error_detail) = 'object'`,
)
export class ConfigHistoryEntity extends MutableTenantOwnedEntity {
  @Column({ type: 'uuid' })
  proxyId!: string;

  @ManyToOne(() => ProxyEntity, { onDelete: 'CASCADE' })
  @JoinColumn(sameTenant('proxy_id'))
  proxy?: Relation<ProxyEntity>;

  /** Kept as NULL when the version is deleted, so the delivery record survives. */
  @Column({ type: 'uuid', nullable: true })
  configVersionId!: string | null;

  @ManyToOne(() => ConfigVersionEntity, { onDelete: 'SET NULL' })
  @JoinColumn(sameTenant('config_version_id'))
  configVersion?: Relation<ConfigVersionEntity>;

  @Column({ type: 'uuid', nullable: true })
  rolloutId!: string | null;

  @ManyToOne(() => RolloutEntity, { onDelete: 'SET NULL' })
  @JoinColumn(sameTenant('rollout_id'))
  rollout?: Relation<RolloutEntity>;

  @Column({ type: 'text' })
  resourceType!: XdsResourceType;

  /** The xDS `version_info` sent. */
  @Column({ type: 'text' })
  xdsVersion!: string;

  @Column({ type: 'text', nullable: true })
  nonce!: string | null;

  @Column({ type: 'text', default: 'sent' })
  status!: ConfigDeliveryStatus;

  @Column({ type: 'jsonb', nullable: true })
  errorDetail!: XdsErrorDetail | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  sentAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  respondedAt!: Date | null;

  /** The event that reported this delivery; a redelivered event finds its row and records nothing. */
  @Column({ type: 'uuid', nullable: true })
  eventId!: string | null;

  /** When a NACK was settled: lasting (`nacked`) after the transient window, or cleared (`transient`). */
  @Column({ type: 'timestamptz', nullable: true })
  settledAt!: Date | null;

  /** When an operator released the config version this lasting NACK withheld from proxies (docs/rollouts.md). */
  @Column({ type: 'timestamptz', nullable: true })
  releasedAt!: Date | null;

  /** Who released it: the principal's actor. */
  @Column({ type: 'text', nullable: true })
  releasedBy!: string | null;
}
