import { type AuditAction, type JsonObject } from '@envoy-fleet/domain';
import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * Written only by the `audit_row_change` trigger (the app role may only read it). `tenant_id` has no
 * foreign key: the trail outlives the rows, and the tenant, it describes.
 */
@Entity({ name: 'audit_log' })
@Index(['tenantId', 'createdAt'])
@Index(['tableName', 'rowId'])
@Check('ck_audit_log_action', `action IN ('insert', 'update', 'delete')`)
@Check(
  'ck_audit_log_images',
  `(action = 'insert' AND before IS NULL AND after IS NOT NULL) OR (action = 'update' AND before IS NOT NULL AND after IS NOT NULL) OR (action = 'delete' AND before IS NOT NULL AND after IS NULL)`,
)
export class AuditLogEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid', nullable: true })
  tenantId!: string | null;

  @Column({ type: 'text' })
  tableName!: string;

  @Column({ type: 'uuid' })
  rowId!: string;

  @Column({ type: 'text' })
  action!: AuditAction;

  @Column({ type: 'text' })
  actor!: string;

  @Column({ type: 'jsonb', nullable: true })
  before!: JsonObject | null;

  @Column({ type: 'jsonb', nullable: true })
  after!: JsonObject | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
