import { DomainError } from '@envoy-fleet/domain';
import { type DataSource, type EntityManager } from 'typeorm';
import { type IsolationLevel } from 'typeorm/driver/types/IsolationLevel';

export interface TenantContext {
  readonly tenantId: string;
  /** Recorded in every audit row the transaction causes, e.g. `user:<id>` (see `formatActor`). */
  readonly actor: string;
}

export interface SystemContext {
  readonly actor: string;
}

export interface UnitOfWorkOptions {
  readonly isolation?: IsolationLevel;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Runs `work` in a transaction that row-level security scopes to one tenant: `app.tenant_id` and
 * `app.actor` are set with SET LOCAL semantics, so they end with the transaction and never leak to
 * the next user of the pooled connection. `dataSource` must connect as the app role.
 */
export async function withTenant<T>(
  dataSource: DataSource,
  context: TenantContext,
  work: (manager: EntityManager) => Promise<T>,
  options: UnitOfWorkOptions = {},
): Promise<T> {
  if (!UUID.test(context.tenantId)) {
    throw new DomainError('VALIDATION_FAILED', `tenant id "${context.tenantId}" is not a UUID`, {
      issues: [{ path: 'tenantId', message: 'must be a UUID' }],
    });
  }
  assertActor(context.actor);
  return transaction(dataSource, options, async (manager) => {
    await manager.query(`SELECT set_config('app.tenant_id', $1, true), set_config('app.actor', $2, true)`, [
      context.tenantId,
      context.actor,
    ]);
    return work(manager);
  });
}

/**
 * Runs `work` in a transaction for installation-level operations that span tenants (bootstrap, the
 * outbox relay, scheduling). `dataSource` must connect as the system role (`DATABASE_SYSTEM_URL`):
 * that role, not a setting, is what lets it see every tenant (docs/adr/0002).
 */
export async function withSystem<T>(
  dataSource: DataSource,
  context: SystemContext,
  work: (manager: EntityManager) => Promise<T>,
  options: UnitOfWorkOptions = {},
): Promise<T> {
  assertActor(context.actor);
  return transaction(dataSource, options, async (manager) => {
    await manager.query(`SELECT set_config('app.tenant_id', '', true), set_config('app.actor', $1, true)`, [
      context.actor,
    ]);
    return work(manager);
  });
}

function transaction<T>(
  dataSource: DataSource,
  options: UnitOfWorkOptions,
  work: (manager: EntityManager) => Promise<T>,
): Promise<T> {
  return options.isolation ? dataSource.transaction(options.isolation, work) : dataSource.transaction(work);
}

function assertActor(actor: string): void {
  if (actor.trim() === '') {
    throw new DomainError('VALIDATION_FAILED', 'a unit of work needs an actor for the audit log', {
      issues: [{ path: 'actor', message: 'must not be empty' }],
    });
  }
}
