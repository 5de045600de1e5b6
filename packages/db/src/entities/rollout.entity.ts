import {
  type RolloutGates,
  type RolloutState,
  type RolloutStrategy,
  type RolloutWave,
} from '@envoy-fleet/domain';
import { Check, Column, Entity, Index, JoinColumn, ManyToOne, type Relation, Unique } from 'typeorm';
import { ConfigVersionEntity } from './config-version.entity';
import { ConfigEntity } from './config.entity';
import { sameTenant } from './same-tenant.join';
import { MutableTenantOwnedEntity } from './tenant-owned.entity';

/** At most one pending, running or paused rollout per config (`ix_rollouts_config_id_active`). */
@Entity({ name: 'rollouts' })
@Unique(['tenantId', 'id'])
@Index(['tenantId', 'state'])
@Index(['configVersionId'])
@Index('ix_rollouts_config_id_active', ['configId'], {
  unique: true,
  where: `state IN ('pending', 'running', 'paused')`,
})
@Check('ck_rollouts_strategy', `strategy IN ('all_at_once', 'waves')`)
@Check(
  'ck_rollouts_state',
  `state IN ('pending', 'running', 'paused', 'completed', 'aborted', 'rolled_back')`,
)
@Check('ck_rollouts_current_wave', `current_wave >= 0`)
@Check(
  'ck_rollouts_plan',
  `jsonb_typeof(waves) = 'array' AND jsonb_typeof(gates) = 'object' AND (strategy = 'waves' OR waves = '[]'::jsonb)`,
)
@Check('ck_rollouts_created_by', `created_by <> ''`)
@Check('ck_rollouts_wave_proxies', `jsonb_typeof(wave_proxies) = 'array'`)
export class RolloutEntity extends MutableTenantOwnedEntity {
  @Column({ type: 'uuid' })
  configId!: string;

  @ManyToOne(() => ConfigEntity, { onDelete: 'CASCADE' })
  @JoinColumn(sameTenant('config_id'))
  config?: Relation<ConfigEntity>;

  /** References `(tenant_id, config_id, id)` of the version, so the version belongs to `configId`. */
  @Column({ type: 'uuid' })
  configVersionId!: string;

  @ManyToOne(() => ConfigVersionEntity, { onDelete: 'CASCADE' })
  @JoinColumn([
    { name: 'tenant_id', referencedColumnName: 'tenantId' },
    { name: 'config_id', referencedColumnName: 'configId' },
    { name: 'config_version_id', referencedColumnName: 'id' },
  ])
  configVersion?: Relation<ConfigVersionEntity>;

  /** The version the config served before this rollout: where aborting or rolling back returns. */
  @Column({ type: 'uuid', nullable: true })
  baseVersionId!: string | null;

  @ManyToOne(() => ConfigVersionEntity, { onDelete: 'CASCADE' })
  @JoinColumn([
    { name: 'tenant_id', referencedColumnName: 'tenantId' },
    { name: 'config_id', referencedColumnName: 'configId' },
    { name: 'base_version_id', referencedColumnName: 'id' },
  ])
  baseVersion?: Relation<ConfigVersionEntity>;

  @Column({ type: 'text' })
  strategy!: RolloutStrategy;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  waves!: RolloutWave[];

  @Column({ type: 'jsonb' })
  gates!: RolloutGates;

  @Column({ type: 'text', default: 'pending' })
  state!: RolloutState;

  @Column({ type: 'integer', default: 0 })
  currentWave!: number;

  /** The proxy ids of each wave, fixed when the rollout starts (empty while pending). */
  @Column({ type: 'jsonb', default: () => "'[]'" })
  waveProxies!: string[][];

  /** Since when every proxy of the current wave has ACKed the version: its soak time runs from here. */
  @Column({ type: 'timestamptz', nullable: true })
  waveSettledAt!: Date | null;

  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  @Column({ type: 'text' })
  createdBy!: string;

  @Column({ type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;
}
