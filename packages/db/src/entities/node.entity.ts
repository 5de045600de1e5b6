import {
  DEFAULT_ADMIN_PORT_RANGE,
  DEFAULT_PROXY_PORT_RANGE,
  type Labels,
  type NodeStatus,
} from '@envoy-fleet/domain';
import { Check, Column, Entity, Index, Unique } from 'typeorm';
import { MutableTenantOwnedEntity } from './tenant-owned.entity';

/** A VM running a node-agent. */
@Entity({ name: 'nodes' })
@Unique(['tenantId', 'id'])
@Unique(['tenantId', 'hostname'])
@Index(['tenantId', 'status'])
@Check('ck_nodes_hostname', `char_length(hostname) BETWEEN 1 AND 253`)
@Check('ck_nodes_status', `status IN ('ready', 'not_ready', 'draining', 'unknown')`)
@Check('ck_nodes_capacity', `cpu_millicores >= 0 AND memory_mib >= 0`)
@Check(
  'ck_nodes_proxy_port_range',
  `proxy_port_range_start BETWEEN 1 AND 65535 AND proxy_port_range_end BETWEEN proxy_port_range_start AND 65535`,
)
@Check(
  'ck_nodes_admin_port_range',
  `admin_port_range_start BETWEEN 1 AND 65535 AND admin_port_range_end BETWEEN admin_port_range_start AND 65535`,
)
@Check(
  'ck_nodes_port_ranges_disjoint',
  `proxy_port_range_end < admin_port_range_start OR admin_port_range_end < proxy_port_range_start`,
)
@Check('ck_nodes_labels', `jsonb_typeof(labels) = 'object'`)
export class NodeEntity extends MutableTenantOwnedEntity {
  @Column({ type: 'text' })
  hostname!: string;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  addresses!: string[];

  @Column({ type: 'text', nullable: true })
  region!: string | null;

  @Column({ type: 'text', nullable: true })
  zone!: string | null;

  @Index('ix_nodes_labels', { synchronize: false })
  @Column({ type: 'jsonb', default: () => "'{}'" })
  labels!: Labels;

  @Column({ type: 'integer' })
  cpuMillicores!: number;

  @Column({ type: 'integer' })
  memoryMib!: number;

  @Column({ type: 'integer', default: DEFAULT_PROXY_PORT_RANGE.start })
  proxyPortRangeStart!: number;

  @Column({ type: 'integer', default: DEFAULT_PROXY_PORT_RANGE.end })
  proxyPortRangeEnd!: number;

  @Column({ type: 'integer', default: DEFAULT_ADMIN_PORT_RANGE.start })
  adminPortRangeStart!: number;

  @Column({ type: 'integer', default: DEFAULT_ADMIN_PORT_RANGE.end })
  adminPortRangeEnd!: number;

  @Column({ type: 'text', nullable: true })
  agentVersion!: string | null;

  @Column({ type: 'text', nullable: true })
  dockerVersion!: string | null;

  @Column({ type: 'text', default: 'unknown' })
  status!: NodeStatus;

  @Column({ type: 'timestamptz', nullable: true })
  lastHeartbeatAt!: Date | null;
}
