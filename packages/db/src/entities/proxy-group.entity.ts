import { type Labels } from '@envoy-fleet/domain';
import { Check, Column, Entity, Index, JoinColumn, ManyToOne, type Relation, Unique } from 'typeorm';
import { sameTenant } from './same-tenant.join';
import { MutableTenantOwnedEntity } from './tenant-owned.entity';

/** A group's name is Envoy's `node.cluster`. A trigger refuses parent links that would form a loop. */
@Entity({ name: 'proxy_groups' })
@Unique(['tenantId', 'id'])
@Unique(['tenantId', 'name'])
@Index(['parentId'])
@Check('ck_proxy_groups_name', `name ~ '^[a-z0-9]([a-z0-9._-]{0,61}[a-z0-9])?$'`)
@Check('ck_proxy_groups_parent', `parent_id <> id`)
@Check('ck_proxy_groups_desired_replicas', `desired_replicas >= 0`)
@Check('ck_proxy_groups_labels', `jsonb_typeof(labels) = 'object'`)
@Check('ck_proxy_groups_image', `image <> ''`)
@Check('ck_proxy_groups_max_surge', `max_surge BETWEEN 1 AND 100`)
export class ProxyGroupEntity extends MutableTenantOwnedEntity {
  @Column({ type: 'uuid', nullable: true })
  parentId!: string | null;

  /** A group with children cannot be deleted: move or delete the children first. */
  @ManyToOne(() => ProxyGroupEntity, { onDelete: 'RESTRICT' })
  @JoinColumn(sameTenant('parent_id'))
  parent?: Relation<ProxyGroupEntity>;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text', default: '' })
  description!: string;

  @Index('ix_proxy_groups_labels', { synchronize: false })
  @Column({ type: 'jsonb', default: () => "'{}'" })
  labels!: Labels;

  @Column({ type: 'integer', nullable: true })
  desiredReplicas!: number | null;

  /** Whether fleet-manager recreates the group's proxies elsewhere when their VM is lost. */
  @Column({ type: 'boolean', default: false })
  rescheduleOnNodeLoss!: boolean;

  /** The image the group's proxies should run; a change rolls them over, `maxSurge` at a time. */
  @Column({ type: 'text', nullable: true })
  image!: string | null;

  @Column({ type: 'integer', default: 1 })
  maxSurge!: number;
}
