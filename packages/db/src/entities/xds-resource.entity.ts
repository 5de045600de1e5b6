import { type Labels } from '@envoy-fleet/domain';
import { type StoredJson } from './json-column';
import { Check, Column, Entity, Index, JoinColumn, ManyToOne, type Relation, Unique } from 'typeorm';
import { ConfigEntity } from './config.entity';
import { sameTenant } from './same-tenant.join';
import { MutableTenantOwnedEntity } from './tenant-owned.entity';

/**
 * An Envoy resource in a config's working set, as canonical proto3 JSON. Each type has its own
 * table with the same shape; names are unique within the config. Versions snapshot the working set
 * into `config_versions.document`.
 */
abstract class XdsResourceEntity extends MutableTenantOwnedEntity {
  @Column({ type: 'uuid' })
  configId!: string;

  @ManyToOne(() => ConfigEntity, { onDelete: 'CASCADE' })
  @JoinColumn(sameTenant('config_id'))
  config?: Relation<ConfigEntity>;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  labels!: Labels;

  @Column({ type: 'jsonb' })
  body!: StoredJson;
}

const NAME_CHECK = `char_length(name) BETWEEN 1 AND 255`;
const JSON_CHECK = `jsonb_typeof(body) = 'object' AND jsonb_typeof(labels) = 'object'`;

@Entity({ name: 'listeners' })
@Unique(['configId', 'name'])
@Index(['tenantId', 'name'])
@Check('ck_listeners_name', NAME_CHECK)
@Check('ck_listeners_json', JSON_CHECK)
export class ListenerEntity extends XdsResourceEntity {}

@Entity({ name: 'route_configs' })
@Unique(['configId', 'name'])
@Index(['tenantId', 'name'])
@Check('ck_route_configs_name', NAME_CHECK)
@Check('ck_route_configs_json', JSON_CHECK)
export class RouteConfigEntity extends XdsResourceEntity {}

@Entity({ name: 'clusters' })
@Unique(['configId', 'name'])
@Index(['tenantId', 'name'])
@Check('ck_clusters_name', NAME_CHECK)
@Check('ck_clusters_json', JSON_CHECK)
export class ClusterEntity extends XdsResourceEntity {}

/** ClusterLoadAssignments, named after their cluster. */
@Entity({ name: 'endpoints' })
@Unique(['configId', 'name'])
@Index(['tenantId', 'name'])
@Check('ck_endpoints_name', NAME_CHECK)
@Check('ck_endpoints_json', JSON_CHECK)
export class EndpointEntity extends XdsResourceEntity {}

/** The audit trigger masks `body`, which holds private keys and passwords. */
@Entity({ name: 'secrets' })
@Unique(['configId', 'name'])
@Index(['tenantId', 'name'])
@Check('ck_secrets_name', NAME_CHECK)
@Check('ck_secrets_json', JSON_CHECK)
export class SecretEntity extends XdsResourceEntity {}
