import { DomainError } from '@envoy-fleet/domain';
import type { EntityManager } from 'typeorm';

const QUOTAS = {
  maxProxies: { column: 'quota_max_proxies', table: 'proxies' },
  maxNodes: { column: 'quota_max_nodes', table: 'nodes' },
  maxConfigs: { column: 'quota_max_configs', table: 'configs' },
} as const;

export type CountedQuota = keyof typeof QUOTAS;

/**
 * What a change claims of a counted quota: `rows` more rows than the table holds now (0 when the new
 * rows are already inserted), counting only those `counted` selects (default all).
 */
export interface QuotaClaim {
  readonly rows: number;
  readonly counted?: { readonly where: string; readonly parameters: readonly unknown[] };
}

/**
 * Fails with QUOTA_EXCEEDED when the tenant's rows, with the claimed ones, are more than its quota
 * allows. The tenant row is locked for the rest of the transaction so that concurrent claims are
 * counted one by one; creations therefore insert first and check last (the default claim, no rows
 * more), so that the lock is held only from the check to the commit, not for their whole work.
 */
export async function assertWithinQuota(
  manager: EntityManager,
  tenantId: string,
  quota: CountedQuota,
  claim: QuotaClaim = { rows: 0 },
): Promise<void> {
  const { column, table } = QUOTAS[quota];
  const tenants: Record<string, number>[] = await manager.query(
    `SELECT ${column} FROM tenants WHERE id = $1 FOR NO KEY UPDATE`,
    [tenantId],
  );
  const limit = tenants[0]?.[column];
  if (limit === undefined) throw DomainError.notFound('tenant', tenantId);
  const counted: { count: string }[] = await manager.query(
    `SELECT count(*) AS count FROM ${table}${claim.counted === undefined ? '' : ` WHERE ${claim.counted.where}`}`,
    [...(claim.counted?.parameters ?? [])],
  );
  if (Number(counted[0]?.count ?? 0) + claim.rows > limit) throw DomainError.quotaExceeded(quota, limit);
}

/** Fails with QUOTA_EXCEEDED when one config version would hold more resources than the tenant's quota. */
export async function assertResourcesWithinQuota(
  manager: EntityManager,
  tenantId: string,
  count: number,
): Promise<void> {
  const rows: { quota_max_resources_per_config: number }[] = await manager.query(
    'SELECT quota_max_resources_per_config FROM tenants WHERE id = $1',
    [tenantId],
  );
  const limit = rows[0]?.quota_max_resources_per_config;
  if (limit === undefined) throw DomainError.notFound('tenant', tenantId);
  if (count > limit) throw DomainError.quotaExceeded('maxResourcesPerConfig', limit);
}
