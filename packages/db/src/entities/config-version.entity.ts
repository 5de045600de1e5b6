import { Check, Column, Entity, Index, JoinColumn, ManyToOne, type Relation, Unique } from 'typeorm';
import { ConfigEntity } from './config.entity';
import { type StoredJson } from './json-column';
import { sameTenant } from './same-tenant.join';
import { TenantOwnedEntity } from './tenant-owned.entity';

/** Immutable: the app role has no UPDATE grant, and a trigger refuses updates from anyone. */
@Entity({ name: 'config_versions' })
@Unique(['tenantId', 'id'])
@Unique(['tenantId', 'configId', 'id'])
@Unique(['configId', 'number'])
@Index(['configId', 'contentHash'])
@Check('ck_config_versions_number', `number > 0`)
@Check('ck_config_versions_content_hash', `content_hash ~ '^[0-9a-f]{64}$'`)
@Check('ck_config_versions_document', `jsonb_typeof(document) = 'object'`)
@Check('ck_config_versions_author', `author <> ''`)
export class ConfigVersionEntity extends TenantOwnedEntity {
  @Column({ type: 'uuid' })
  configId!: string;

  @ManyToOne(() => ConfigEntity, { onDelete: 'CASCADE' })
  @JoinColumn(sameTenant('config_id'))
  config?: Relation<ConfigEntity>;

  @Column({ type: 'integer' })
  number!: number;

  @Column({ type: 'text' })
  contentHash!: string;

  @Column({ type: 'jsonb' })
  /** The domain's `ConfigDocument`. */
  document!: StoredJson;

  @Column({ type: 'text' })
  author!: string;

  @Column({ type: 'text', default: '' })
  message!: string;
}
