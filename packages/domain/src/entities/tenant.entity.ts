export const TENANT_STATUSES = ['active', 'suspended'] as const;
export type TenantStatus = (typeof TENANT_STATUSES)[number];

/** Per-tenant limits [REQ-MT-002, FR-MT-004]; the api refuses creations past them with QUOTA_EXCEEDED. */
export interface TenantQuotas {
  readonly maxProxies: number;
  readonly maxNodes: number;
  readonly maxConfigs: number;
  readonly maxResourcesPerConfig: number;
  readonly apiRequestsPerMinute: number;
}

export const DEFAULT_TENANT_QUOTAS: TenantQuotas = {
  maxProxies: 1_000,
  maxNodes: 100,
  maxConfigs: 500,
  maxResourcesPerConfig: 2_000,
  apiRequestsPerMinute: 6_000,
};

/** Tenant slugs appear in URLs and logs: lowercase DNS label. */
export const TENANT_NAME_PATTERN = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export interface Tenant {
  readonly id: string;
  /** Unique slug. */
  readonly name: string;
  readonly displayName: string;
  readonly status: TenantStatus;
  readonly quotas: TenantQuotas;
  readonly version: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}
