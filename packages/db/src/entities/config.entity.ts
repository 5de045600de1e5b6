import { type Labels } from '@envoy-fleet/domain';
import { Check, Column, Entity, Index, Unique } from 'typeorm';
import { MutableTenantOwnedEntity } from './tenant-owned.entity';

@Entity({ name: 'configs' })
@Unique(['tenantId', 'id'])
@Unique(['tenantId', 'name'])
@Check('ck_configs_name', `name ~ '^[A-Za-z0-9]([A-Za-z0-9._-]{0,251}[A-Za-z0-9])?$'`)
@Check('ck_configs_latest_version', `latest_version >= 0`)
@Check('ck_configs_labels', `jsonb_typeof(labels) = 'object'`)
export class ConfigEntity extends MutableTenantOwnedEntity {
  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text', default: '' })
  description!: string;

  @Index('ix_configs_labels', { synchronize: false })
  @Column({ type: 'jsonb', default: () => "'{}'" })
  labels!: Labels;

  /** Number of the newest version (0 before the first): bumped, under optimistic locking, to allocate the next. */
  @Column({ type: 'integer', default: 0 })
  latestVersion!: number;
}
