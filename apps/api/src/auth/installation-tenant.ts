import { randomUUID } from 'node:crypto';
import { createEvent } from '@envoy-fleet/domain';
import { ApiKeyEntity, appendEvents, RoleBindingEntity, TenantEntity, withSystem } from '@envoy-fleet/db';
import type { Logger } from '@envoy-fleet/telemetry';
import type { DataSource } from 'typeorm';
import { generateApiKey, hashApiKey, lookupPrefixOf } from './api-key-token';

/** Replicas starting together on an empty database take turns on this lock. */
const BOOTSTRAP_LOCK_KEY = 435_778_048_890;

export interface InstallationTenantOptions {
  /** The admin tenant's name (FLEET_ADMIN_TENANT). */
  readonly name: string;
  /** FLEET_BOOTSTRAP_TOKEN: the first admin key's value; generated when absent. */
  readonly bootstrapToken: string | undefined;
  readonly logger: Logger;
  /** Shows a generated key to the operator, once. */
  readonly announce: (message: string) => void;
}

/**
 * On the first start with an empty database, creates the admin tenant and its first admin API key,
 * as the system role (no tenant exists yet to scope the work to). Returns the admin tenant's id, or
 * null when the database has tenants but none with that name.
 */
export async function ensureInstallationTenant(
  system: DataSource,
  options: InstallationTenantOptions,
): Promise<string | null> {
  return withSystem(system, { actor: 'system:api-bootstrap' }, async (manager) => {
    await manager.query('SELECT pg_advisory_xact_lock($1)', [BOOTSTRAP_LOCK_KEY]);
    const existing = await manager.findOneBy(TenantEntity, { name: options.name });
    if (existing !== null) return existing.id;
    if ((await manager.count(TenantEntity)) > 0) {
      options.logger.warn(
        `no tenant is named ${options.name} (FLEET_ADMIN_TENANT): no caller can manage tenants`,
      );
      return null;
    }
    const tenant = await manager.save(
      manager.create(TenantEntity, { name: options.name, displayName: 'Default tenant' }),
    );
    const generated = options.bootstrapToken === undefined ? generateApiKey() : undefined;
    const token = options.bootstrapToken ?? generated?.token ?? '';
    const key = await manager.save(
      manager.create(ApiKeyEntity, {
        tenantId: tenant.id,
        name: 'bootstrap-admin',
        prefix: lookupPrefixOf(token),
        keyHash: hashApiKey(token),
      }),
    );
    await manager.save(
      manager.create(RoleBindingEntity, { tenantId: tenant.id, apiKeyId: key.id, role: 'admin' }),
    );
    await appendEvents(manager, [
      createEvent('tenant.created', {
        id: randomUUID(),
        tenantId: tenant.id,
        aggregateId: tenant.id,
        payload: { tenantId: tenant.id, name: tenant.name },
      }),
    ]);
    options.logger.info(
      { tenantId: tenant.id, apiKeyId: key.id },
      `created tenant ${tenant.name} and its admin API key`,
    );
    if (generated !== undefined) {
      options.announce(`envoy-fleet admin API key (shown once, store it now): ${generated.token}\n`);
    }
    return tenant.id;
  });
}
