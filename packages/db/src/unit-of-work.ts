import { DomainError } from '@envoy-fleet/domain';
import { escapeLiteral } from 'pg';
import { type DataSource, type EntityManager, type QueryRunner } from 'typeorm';
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
  return transaction(dataSource, options, { tenantId: context.tenantId, actor: context.actor }, work);
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
  return transaction(dataSource, options, { tenantId: '', actor: context.actor }, work);
}

/**
 * `dataSource.transaction(work)`, except that the transaction is opened together with its settings in
 * one round trip to PostgreSQL: a simple-protocol query may hold several statements, so `START
 * TRANSACTION` and the `set_config` calls travel as one message. The values are quoted literals (the
 * tenant id is a checked UUID, the actor goes through `escapeLiteral`). Everything after the opening is
 * TypeORM's own: the runner is marked as in a transaction, so writes join it, nested transactions become
 * savepoints, and commit and rollback are the runner's.
 */
async function transaction<T>(
  dataSource: DataSource,
  options: UnitOfWorkOptions,
  settings: { readonly tenantId: string; readonly actor: string },
  work: (manager: EntityManager) => Promise<T>,
): Promise<T> {
  const runner = dataSource.createQueryRunner();
  const isolation = options.isolation === undefined ? '' : ` ISOLATION LEVEL ${options.isolation}`;
  try {
    await runner.connect();
    markTransactionOpen(runner);
    await runner.query(
      `START TRANSACTION${isolation}; SELECT set_config('app.tenant_id', ${escapeLiteral(settings.tenantId)}, true), set_config('app.actor', ${escapeLiteral(settings.actor)}, true)`,
    );
    const result = await work(runner.manager);
    await runner.commitTransaction();
    return result;
  } catch (error) {
    if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
    throw error;
  } finally {
    await runner.release();
  }
}

/** What `QueryRunner.startTransaction` records once it has sent `START TRANSACTION` at depth 0. */
function markTransactionOpen(runner: QueryRunner): void {
  const state = runner as unknown as { isTransactionActive: boolean; transactionDepth: number };
  state.isTransactionActive = true;
  state.transactionDepth = 1;
}

function assertActor(actor: string): void {
  if (actor.trim() === '') {
    throw new DomainError('VALIDATION_FAILED', 'a unit of work needs an actor for the audit log', {
      issues: [{ path: 'actor', message: 'must not be empty' }],
    });
  }
}
