import {
  type ConfigBindingMode,
  type ConfigOverride,
  type JsonObject,
  type LabelSelector,
} from '@envoy-fleet/domain';
import { Check, Column, Entity, Index, JoinColumn, ManyToOne, type Relation } from 'typeorm';
import { ConfigTemplateEntity } from './config-template.entity';
import { ConfigEntity } from './config.entity';
import { ProxyGroupEntity } from './proxy-group.entity';
import { ProxyEntity } from './proxy.entity';
import { sameTenant } from './same-tenant.join';
import { MutableTenantOwnedEntity } from './tenant-owned.entity';

/**
 * Assigns config to proxies in one of the seed 000 4.4.1 modes; `ck_config_bindings_shape` allows
 * exactly the columns each mode uses (see `ConfigBindingAssignment` in the domain).
 */
@Entity({ name: 'config_bindings' })
@Index(['proxyId'])
@Index(['groupId'])
@Index(['configId'])
@Index(['templateId'])
@Index(['parentProxyId'])
@Index(['tenantId', 'mode'])
@Check('ck_config_bindings_mode', `mode IN ('instance', 'group', 'label_selector', 'template', 'inherit')`)
@Check(
  'ck_config_bindings_shape',
  `CASE mode
    WHEN 'instance' THEN proxy_id IS NOT NULL AND config_id IS NOT NULL
      AND num_nonnulls(group_id, label_selector, template_id, parameters, parent_proxy_id, overrides) = 0
    WHEN 'group' THEN group_id IS NOT NULL AND config_id IS NOT NULL
      AND num_nonnulls(proxy_id, label_selector, template_id, parameters, parent_proxy_id, overrides) = 0
    WHEN 'label_selector' THEN label_selector IS NOT NULL AND config_id IS NOT NULL
      AND num_nonnulls(proxy_id, group_id, template_id, parameters, parent_proxy_id, overrides) = 0
    WHEN 'template' THEN template_id IS NOT NULL AND parameters IS NOT NULL
      AND num_nonnulls(proxy_id, group_id, label_selector) = 1 AND num_nonnulls(config_id, parent_proxy_id, overrides) = 0
    WHEN 'inherit' THEN proxy_id IS NOT NULL AND parent_proxy_id IS NOT NULL AND overrides IS NOT NULL
      AND parent_proxy_id <> proxy_id AND num_nonnulls(group_id, label_selector, config_id, template_id, parameters) = 0
    ELSE false
  END`,
)
@Check(
  'ck_config_bindings_json',
  `jsonb_typeof(label_selector) = 'object' AND jsonb_typeof(parameters) = 'object' AND jsonb_typeof(overrides) = 'array'`,
)
export class ConfigBindingEntity extends MutableTenantOwnedEntity {
  @Column({ type: 'text' })
  mode!: ConfigBindingMode;

  /** Target of `instance` and `inherit`, or of `template` aimed at one proxy. */
  @Column({ type: 'uuid', nullable: true })
  proxyId!: string | null;

  @ManyToOne(() => ProxyEntity, { onDelete: 'CASCADE' })
  @JoinColumn(sameTenant('proxy_id'))
  proxy?: Relation<ProxyEntity>;

  @Column({ type: 'uuid', nullable: true })
  groupId!: string | null;

  @ManyToOne(() => ProxyGroupEntity, { onDelete: 'CASCADE' })
  @JoinColumn(sameTenant('group_id'))
  group?: Relation<ProxyGroupEntity>;

  @Column({ type: 'jsonb', nullable: true })
  labelSelector!: LabelSelector | null;

  @Column({ type: 'uuid', nullable: true })
  configId!: string | null;

  @ManyToOne(() => ConfigEntity, { onDelete: 'CASCADE' })
  @JoinColumn(sameTenant('config_id'))
  config?: Relation<ConfigEntity>;

  /** A template in use cannot be deleted. */
  @Column({ type: 'uuid', nullable: true })
  templateId!: string | null;

  @ManyToOne(() => ConfigTemplateEntity, { onDelete: 'RESTRICT' })
  @JoinColumn(sameTenant('template_id'))
  template?: Relation<ConfigTemplateEntity>;

  @Column({ type: 'jsonb', nullable: true })
  parameters!: JsonObject | null;

  @Column({ type: 'uuid', nullable: true })
  parentProxyId!: string | null;

  @ManyToOne(() => ProxyEntity, { onDelete: 'CASCADE' })
  @JoinColumn(sameTenant('parent_proxy_id'))
  parentProxy?: Relation<ProxyEntity>;

  @Column({ type: 'jsonb', nullable: true })
  overrides!: ConfigOverride[] | null;

  /** Higher wins when several bindings reach one proxy. */
  @Column({ type: 'integer', default: 0 })
  priority!: number;
}
