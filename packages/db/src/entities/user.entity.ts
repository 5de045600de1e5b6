import { type UserStatus } from '@envoy-fleet/domain';
import { Check, Column, Entity, Unique } from 'typeorm';
import { MutableTenantOwnedEntity } from './tenant-owned.entity';

@Entity({ name: 'users' })
@Unique(['tenantId', 'id'])
@Unique(['tenantId', 'email'])
@Check('ck_users_email', `email = lower(email) AND email ~ '^[^@[:space:]]+@[^@[:space:]]+$'`)
@Check('ck_users_status', `status IN ('active', 'disabled')`)
export class UserEntity extends MutableTenantOwnedEntity {
  @Column({ type: 'text' })
  email!: string;

  @Column({ type: 'text', default: '' })
  displayName!: string;

  @Column({ type: 'text', default: 'active' })
  status!: UserStatus;

  @Column({ type: 'timestamptz', nullable: true })
  lastLoginAt!: Date | null;
}
