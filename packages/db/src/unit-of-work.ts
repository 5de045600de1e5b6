import { DomainError } from '@envoy-fleet/domain';
import { escapeLiteral, type PoolClient, type QueryResult } from 'pg';
import {
  type DataSource,
  type EntityManager,
  type ObjectLiteral,
  type QueryRunner,
  type SelectQueryBuilder,
} from 'typeorm';
import { RawSqlResultsToEntityTransformer } from 'typeorm/query-builder/transformer/RawSqlResultsToEntityTransformer';
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
  assertTenant(context.tenantId);
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
    await runner.query(`START TRANSACTION${isolation}; ${settingsSql(settings)}`);
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

function assertTenant(tenantId: string): void {
  if (!UUID.test(tenantId)) {
    throw new DomainError('VALIDATION_FAILED', `tenant id "${tenantId}" is not a UUID`, {
      issues: [{ path: 'tenantId', message: 'must be a UUID' }],
    });
  }
}

function assertActor(actor: string): void {
  if (actor.trim() === '') {
    throw new DomainError('VALIDATION_FAILED', 'a unit of work needs an actor for the audit log', {
      issues: [{ path: 'actor', message: 'must not be empty' }],
    });
  }
}

/**
 * Runs one SELECT as the tenant in a single round trip: `START TRANSACTION READ ONLY`, the settings, the
 * query and `COMMIT` travel as one simple-protocol message, so row-level security confines the query
 * exactly as in `withTenant`, at a third of the round trips. The builder's parameters become quoted
 * literals (`escapeLiteral`); its rows become entities as `getMany()` would make them.
 */
export async function selectAsTenant<E extends ObjectLiteral>(
  dataSource: DataSource,
  context: TenantContext,
  builder: SelectQueryBuilder<E>,
): Promise<E[]> {
  assertTenant(context.tenantId);
  assertActor(context.actor);
  const alias = builder.expressionMap.mainAlias;
  if (alias === undefined) throw new Error('the query has no main alias to read entities of');
  const [sql, parameters] = builder.getQueryAndParameters();
  const runner = dataSource.createQueryRunner();
  try {
    const client = (await runner.connect()) as PoolClient;
    let results: QueryResult[];
    try {
      results = (await client.query(
        `START TRANSACTION READ ONLY; ${settingsSql(context)}; ${inlineParameters(sql, parameters)}; COMMIT`,
      )) as unknown as QueryResult[];
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
    const rows = results[2]?.rows ?? [];
    return new RawSqlResultsToEntityTransformer(
      builder.expressionMap,
      dataSource.driver,
      [],
      [],
      runner,
    ).transform(rows, alias) as E[];
  } finally {
    await runner.release();
  }
}

function settingsSql(context: TenantContext): string {
  return `SELECT set_config('app.tenant_id', ${escapeLiteral(context.tenantId)}, true), set_config('app.actor', ${escapeLiteral(context.actor)}, true)`;
}

/** `$1`, `$2`, ... outside quoted text replaced by their values as SQL literals. */
function inlineParameters(sql: string, parameters: readonly unknown[]): string {
  return sql.replace(/'(?:[^']|'')*'|"(?:[^"]|"")*"|\$(\d+)/g, (token, index: string | undefined) =>
    index === undefined ? token : literalOf(parameters[Number(index) - 1], index),
  );
}

function literalOf(value: unknown, index: string): string {
  if (value === null) return 'NULL';
  if (typeof value === 'string') return escapeLiteral(value);
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) return escapeLiteral(value.toISOString());
  if (Array.isArray(value)) return `ARRAY[${value.map((item) => literalOf(item, index)).join(', ')}]::text[]`;
  throw new TypeError(`parameter $${index} cannot be written as an SQL literal: ${typeof value}`);
}
