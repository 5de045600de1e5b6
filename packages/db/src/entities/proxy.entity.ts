import {
  type Labels,
  type ProxyDesiredState,
  type ProxyHealth,
  type ProxyStatus,
  type XdsResourceType,
  type XdsSyncStatus,
} from '@envoy-fleet/domain';
import { Check, Column, Entity, Index, JoinColumn, ManyToOne, type Relation, Unique } from 'typeorm';
import { type StoredJson } from './json-column';
import { NodeEntity } from './node.entity';
import { ProxyGroupEntity } from './proxy-group.entity';
import { sameTenant } from './same-tenant.join';
import { MutableTenantOwnedEntity } from './tenant-owned.entity';

const SYNC_STATUSES = `('SYNCED', 'STALE', 'NACKED', 'NOT_SENT')`;

/** One Envoy container [seed 000 4.1.1]. Ports and container names are unique per VM. */
@Entity({ name: 'proxies' })
@Unique(['tenantId', 'id'])
@Unique(['nodeId'])
@Unique(['vmId', 'proxyPort'])
@Unique(['vmId', 'adminPort'])
@Unique(['vmId', 'containerName'])
@Unique(['vmId', 'containerId'])
@Index(['tenantId', 'groupId'])
@Index(['tenantId', 'status'])
@Check('ck_proxies_node_id', `char_length(node_id) BETWEEN 1 AND 255`)
@Check('ck_proxies_container_name', `container_name ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$'`)
@Check(
  'ck_proxies_ports',
  `proxy_port BETWEEN 1 AND 65535 AND admin_port BETWEEN 1 AND 65535 AND proxy_port <> admin_port`,
)
@Check('ck_proxies_image', `image <> ''`)
@Check('ck_proxies_desired_state', `desired_state IN ('running', 'stopped', 'removed')`)
@Check('ck_proxies_status', `status IN ('created', 'starting', 'running', 'stopped', 'failed', 'unknown')`)
@Check('ck_proxies_health', `health IN ('healthy', 'unhealthy', 'unknown')`)
@Check('ck_proxies_health_reasons', `jsonb_typeof(health_reasons) = 'array'`)
@Check(
  'ck_proxies_sync_status',
  `listener_sync_status IN ${SYNC_STATUSES} AND route_config_sync_status IN ${SYNC_STATUSES} AND cluster_sync_status IN ${SYNC_STATUSES} AND endpoint_sync_status IN ${SYNC_STATUSES} AND secret_sync_status IN ${SYNC_STATUSES}`,
)
@Check('ck_proxies_resource_limits', `cpu_millicores > 0 AND memory_mib > 0`)
@Check('ck_proxies_labels', `jsonb_typeof(labels) = 'object' AND jsonb_typeof(metadata) = 'object'`)
export class ProxyEntity extends MutableTenantOwnedEntity {
  /** Envoy's `node.id`; unique across the installation because xds-server streams are keyed by it. */
  @Column({ type: 'text' })
  nodeId!: string;

  @Column({ type: 'uuid' })
  groupId!: string;

  @ManyToOne(() => ProxyGroupEntity, { onDelete: 'RESTRICT' })
  @JoinColumn(sameTenant('group_id'))
  group?: Relation<ProxyGroupEntity>;

  /** The VM; NULL until scheduled, and again when the VM is deleted. */
  @Column({ type: 'uuid', nullable: true })
  vmId!: string | null;

  @ManyToOne(() => NodeEntity, { onDelete: 'SET NULL' })
  @JoinColumn(sameTenant('vm_id'))
  vm?: Relation<NodeEntity>;

  @Column({ type: 'text', nullable: true })
  containerId!: string | null;

  @Column({ type: 'text' })
  containerName!: string;

  @Column({ type: 'integer' })
  proxyPort!: number;

  @Column({ type: 'integer' })
  adminPort!: number;

  @Column({ type: 'text' })
  image!: string;

  @Column({ type: 'text', default: 'running' })
  desiredState!: ProxyDesiredState;

  @Column({ type: 'text', default: 'unknown' })
  status!: ProxyStatus;

  /**
   * Combined by fleet-manager from the container state, `ready`, the xDS connection and the VM's heartbeats
   * (fleet-manager README, "Health"); `healthReasons` says why it is not healthy.
   */
  @Column({ type: 'text', default: 'unknown' })
  health!: ProxyHealth;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  healthReasons!: string[];

  /** What the node agent's probe of Envoy's admin `/ready` last said; null until probed. */
  @Column({ type: 'boolean', nullable: true })
  ready!: boolean | null;

  @Column({ type: 'text', default: 'NOT_SENT' })
  listenerSyncStatus!: XdsSyncStatus;

  @Column({ type: 'text', default: 'NOT_SENT' })
  routeConfigSyncStatus!: XdsSyncStatus;

  @Column({ type: 'text', default: 'NOT_SENT' })
  clusterSyncStatus!: XdsSyncStatus;

  @Column({ type: 'text', default: 'NOT_SENT' })
  endpointSyncStatus!: XdsSyncStatus;

  @Column({ type: 'text', default: 'NOT_SENT' })
  secretSyncStatus!: XdsSyncStatus;

  @Index('ix_proxies_labels', { synchronize: false })
  @Column({ type: 'jsonb', default: () => "'{}'" })
  labels!: Labels;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  metadata!: StoredJson;

  @Column({ type: 'integer', nullable: true })
  cpuMillicores!: number | null;

  @Column({ type: 'integer', nullable: true })
  memoryMib!: number | null;

  @Column({ type: 'timestamptz', nullable: true })
  lastSeenAt!: Date | null;

  /** When a rolling update last changed the image; NULL once the new container is ready and has ACKed. */
  @Column({ type: 'timestamptz', nullable: true })
  imageUpdatedAt!: Date | null;

  /**
   * When the node-agent command bringing the container to `desiredState` is due to be (re)sent; null
   * once it is queued. A sender claims a due row for a while, and a failed send makes it due at once.
   */
  @Column({ type: 'timestamptz', nullable: true })
  commandDueAt!: Date | null;

  /** Whether an xds-server replica holds a stream of the proxy, as its connect/disconnect events say. */
  @Column({ type: 'boolean', default: false })
  xdsConnected!: boolean;

  /** The replica that reported the last connect or disconnect. */
  @Column({ type: 'text', nullable: true })
  xdsReplica!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  xdsConnectionChangedAt!: Date | null;

  /**
   * Why the config the proxy's bindings give cannot be served (render error, parameters against the
   * template's schema, inheritance cycle, failed snapshot checks), as fleet-manager last built it; null
   * when it is served. The proxy keeps its last good snapshot meanwhile.
   */
  @Column({ type: 'jsonb', nullable: true })
  configRejection!: { readonly source: string; readonly issues: readonly string[] } | null;

  /** When the rejection above was first recorded. */
  @Column({ type: 'timestamptz', nullable: true })
  configRejectedAt!: Date | null;

  /**
   * The resource types whose last ACKed version differs from the version of the proxy's current
   * snapshot [NFR-OB-004], as fleet-manager's drift check last saw them; null when they agree.
   */
  @Column({ type: 'jsonb', nullable: true })
  drift!: readonly ProxyDriftedType[] | null;

  /** Since when the check has seen the difference above. */
  @Column({ type: 'timestamptz', nullable: true })
  driftObservedAt!: Date | null;

  /** When the difference outlasted the threshold and the proxy was reported drifted; null otherwise. */
  @Column({ type: 'timestamptz', nullable: true })
  driftedAt!: Date | null;
}

export interface ProxyDriftedType {
  readonly resourceType: XdsResourceType;
  /** The version Envoy last ACKed. */
  readonly ackedVersion: string;
  /** The version the proxy's current snapshot holds. */
  readonly expectedVersion: string;
}
