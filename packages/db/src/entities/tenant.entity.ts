import { DEFAULT_TENANT_QUOTAS, type TenantStatus } from '@envoy-fleet/domain';
import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  Unique,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';

@Entity({ name: 'tenants' })
@Unique(['name'])
@Check('ck_tenants_name', `name ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'`)
@Check('ck_tenants_status', `status IN ('active', 'suspended')`)
@Check(
  'ck_tenants_quotas',
  'quota_max_proxies >= 0 AND quota_max_nodes >= 0 AND quota_max_configs >= 0 AND quota_max_resources_per_config >= 0 AND quota_api_requests_per_minute >= 0',
)
export class TenantEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  displayName!: string;

  @Column({ type: 'text', default: 'active' })
  status!: TenantStatus;

  @Column({ type: 'integer', default: DEFAULT_TENANT_QUOTAS.maxProxies })
  quotaMaxProxies!: number;

  @Column({ type: 'integer', default: DEFAULT_TENANT_QUOTAS.maxNodes })
  quotaMaxNodes!: number;

  @Column({ type: 'integer', default: DEFAULT_TENANT_QUOTAS.maxConfigs })
  quotaMaxConfigs!: number;

  @Column({ type: 'integer', default: DEFAULT_TENANT_QUOTAS.maxResourcesPerConfig })
  quotaMaxResourcesPerConfig!: number;

  @Column({ type: 'integer', default: DEFAULT_TENANT_QUOTAS.apiRequestsPerMinute })
  quotaApiRequestsPerMinute!: number;

  @VersionColumn({ default: 1 })
  version!: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
