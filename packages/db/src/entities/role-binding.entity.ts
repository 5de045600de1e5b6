import { type Role } from '@envoy-fleet/domain';
import { Check, Column, Entity, Index, JoinColumn, ManyToOne, type Relation, Unique } from 'typeorm';
import { ApiKeyEntity } from './api-key.entity';
import { sameTenant } from './same-tenant.join';
import { MutableTenantOwnedEntity } from './tenant-owned.entity';
import { UserEntity } from './user.entity';

/** One role per subject: a subject is exactly one of a user or an API key. */
@Entity({ name: 'role_bindings' })
@Unique(['userId'])
@Unique(['apiKeyId'])
@Index(['tenantId'])
@Check('ck_role_bindings_role', `role IN ('viewer', 'operator', 'admin')`)
@Check('ck_role_bindings_subject', `num_nonnulls(user_id, api_key_id) = 1`)
export class RoleBindingEntity extends MutableTenantOwnedEntity {
  @Column({ type: 'uuid', nullable: true })
  userId!: string | null;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn(sameTenant('user_id'))
  user?: Relation<UserEntity>;

  @Column({ type: 'uuid', nullable: true })
  apiKeyId!: string | null;

  @ManyToOne(() => ApiKeyEntity, { onDelete: 'CASCADE' })
  @JoinColumn(sameTenant('api_key_id'))
  apiKey?: Relation<ApiKeyEntity>;

  @Column({ type: 'text' })
  role!: Role;
}
