import { DEFAULT_TENANT_QUOTAS, TENANT_NAME_PATTERN, TENANT_STATUSES } from '@envoy-fleet/domain';
import type { TenantEntity } from '@envoy-fleet/db';
import { z } from 'zod';
import type { ListSpec } from '../../http/list-query';
import { versionedViewFields } from '../../http/request-schemas';
import { createdApiKeyViewSchema } from '../api-keys/api-key.dto';

const quota = z.number().int().min(0);

const quotasSchema = z.strictObject({
  maxProxies: quota.default(DEFAULT_TENANT_QUOTAS.maxProxies),
  maxNodes: quota.default(DEFAULT_TENANT_QUOTAS.maxNodes),
  maxConfigs: quota.default(DEFAULT_TENANT_QUOTAS.maxConfigs),
  maxResourcesPerConfig: quota.default(DEFAULT_TENANT_QUOTAS.maxResourcesPerConfig),
  apiRequestsPerMinute: quota.default(DEFAULT_TENANT_QUOTAS.apiRequestsPerMinute),
});

/** PUT, and PATCH after merging: a tenant's name is its permanent slug and is not part of it. */
export const tenantWriteSchema = z.strictObject({
  displayName: z.string().min(1).max(255),
  status: z.enum(TENANT_STATUSES).default('active'),
  quotas: quotasSchema.default(quotasSchema.parse({})),
});
export type TenantWrite = z.output<typeof tenantWriteSchema>;

export const tenantCreateSchema = tenantWriteSchema.extend({
  name: z
    .string()
    .regex(TENANT_NAME_PATTERN, 'must be a lowercase DNS label (letters, digits, dashes; at most 63)'),
});
export type TenantCreate = z.output<typeof tenantCreateSchema>;

export const tenantViewSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  displayName: z.string(),
  status: z.enum(TENANT_STATUSES),
  quotas: z.object({
    maxProxies: z.number().int(),
    maxNodes: z.number().int(),
    maxConfigs: z.number().int(),
    maxResourcesPerConfig: z.number().int(),
    apiRequestsPerMinute: z.number().int(),
  }),
  ...versionedViewFields,
});
export type TenantView = z.output<typeof tenantViewSchema>;

/** A new tenant and the admin API key to start using it with (its secret shown only here). */
export const createdTenantViewSchema = tenantViewSchema.extend({ adminApiKey: createdApiKeyViewSchema });
export type CreatedTenantView = z.output<typeof createdTenantViewSchema>;

export function tenantView(tenant: TenantEntity): TenantView {
  return {
    id: tenant.id,
    name: tenant.name,
    displayName: tenant.displayName,
    status: tenant.status,
    quotas: {
      maxProxies: tenant.quotaMaxProxies,
      maxNodes: tenant.quotaMaxNodes,
      maxConfigs: tenant.quotaMaxConfigs,
      maxResourcesPerConfig: tenant.quotaMaxResourcesPerConfig,
      apiRequestsPerMinute: tenant.quotaApiRequestsPerMinute,
    },
    version: tenant.version,
    createdAt: tenant.createdAt.toISOString(),
    updatedAt: tenant.updatedAt.toISOString(),
  };
}

export function tenantWriteOf(view: TenantView): TenantWrite {
  return { displayName: view.displayName, status: view.status, quotas: { ...view.quotas } };
}

export function tenantColumns(write: TenantWrite): Partial<TenantEntity> {
  return {
    displayName: write.displayName,
    status: write.status,
    quotaMaxProxies: write.quotas.maxProxies,
    quotaMaxNodes: write.quotas.maxNodes,
    quotaMaxConfigs: write.quotas.maxConfigs,
    quotaMaxResourcesPerConfig: write.quotas.maxResourcesPerConfig,
    quotaApiRequestsPerMinute: write.quotas.apiRequestsPerMinute,
  };
}

export const TENANT_LIST: ListSpec = {
  sortable: {
    name: { column: 'name', kind: 'text' },
    createdAt: { column: 'created_at', kind: 'timestamp' },
  },
  defaultSort: 'name',
  filters: { status: 'status', name: 'name' },
  labels: false,
};
