import {
  Column,
  CreateDateColumn,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';
import { TenantEntity } from './tenant.entity';

/**
 * Columns every tenant-owned row has. Row-level security filters on `tenant_id`; references between
 * tenant-owned rows are composite foreign keys `(tenant_id, x_id)`, because foreign-key checks do not
 * see RLS and would otherwise accept another tenant's id.
 */
export abstract class TenantOwnedEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  tenantId!: string;

  @ManyToOne(() => TenantEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tenant_id' })
  tenant?: Relation<TenantEntity>;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}

/** A tenant-owned row that can change: optimistic locking through `version` [DB-IN-003]. */
export abstract class MutableTenantOwnedEntity extends TenantOwnedEntity {
  /** Bumped by the `touch_row` trigger on every UPDATE, whoever issues it. */
  @VersionColumn({ default: 1 })
  version!: number;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
