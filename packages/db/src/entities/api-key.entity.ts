import { Check, Column, Entity, JoinColumn, ManyToOne, type Relation, Unique } from 'typeorm';
import { sameTenant } from './same-tenant.join';
import { MutableTenantOwnedEntity } from './tenant-owned.entity';
import { UserEntity } from './user.entity';

@Entity({ name: 'api_keys' })
@Unique(['tenantId', 'id'])
@Unique(['tenantId', 'name'])
@Unique(['prefix'])
@Check('ck_api_keys_name', `char_length(name) BETWEEN 1 AND 255`)
@Check('ck_api_keys_prefix', `prefix ~ '^[A-Za-z0-9_-]{8,64}$'`)
@Check('ck_api_keys_key_hash', `key_hash <> ''`)
export class ApiKeyEntity extends MutableTenantOwnedEntity {
  @Column({ type: 'uuid', nullable: true })
  createdByUserId!: string | null;

  /** The creator; the key outlives the user (the column is set to NULL, not the row deleted). */
  @ManyToOne(() => UserEntity, { onDelete: 'SET NULL' })
  @JoinColumn(sameTenant('created_by_user_id'))
  createdByUser?: Relation<UserEntity>;

  @Column({ type: 'text' })
  name!: string;

  /** Public start of the key; found before the secret is compared with `keyHash`. Unique installation-wide. */
  @Column({ type: 'text' })
  prefix!: string;

  @Column({ type: 'text' })
  keyHash!: string;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  scopes!: string[];

  @Column({ type: 'timestamptz', nullable: true })
  expiresAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  lastUsedAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;
}
