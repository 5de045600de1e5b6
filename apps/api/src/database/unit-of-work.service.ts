import { Inject, Injectable } from '@nestjs/common';
import { selectAsTenant, translateDatabaseError, withSystem, withTenant } from '@envoy-fleet/db';
import type { DataSource, EntityManager, EntityTarget, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { APP_DATA_SOURCE, SYSTEM_DATA_SOURCE } from '../api.tokens';
import type { Principal } from '../auth/principal';
import { DryRunRollback, requestScope } from './request-scope';

type Work<T> = (manager: EntityManager) => Promise<T>;

/**
 * Every database access of a request goes through here. Tenant work runs as the app role inside
 * `withTenant`, so row-level security confines it to the caller's tenant; installation-level work
 * (tenants, key lookup) runs as the system role. Database refusals become domain errors.
 */
@Injectable()
export class UnitOfWork {
  constructor(
    @Inject(APP_DATA_SOURCE) private readonly app: DataSource,
    @Inject(SYSTEM_DATA_SOURCE) private readonly system: DataSource,
  ) {}

  /** Joins the request's transaction when one is open for this tenant, else opens one. */
  async forTenant<T>(principal: Principal, work: Work<T>): Promise<T> {
    const open = requestScope.getStore()?.transaction;
    if (open !== undefined && open.tenantId === principal.tenantId) return work(open.manager);
    return this.translated(() =>
      withTenant(this.app, { tenantId: principal.tenantId, actor: principal.actor }, work),
    );
  }

  /**
   * A query builder for `select`: bound to the request's transaction when one is open for the tenant,
   * else to no connection yet.
   */
  selectBuilder<E extends ObjectLiteral>(
    principal: Principal,
    entity: EntityTarget<E>,
    alias: string,
  ): SelectQueryBuilder<E> {
    const open = requestScope.getStore()?.transaction;
    const manager =
      open !== undefined && open.tenantId === principal.tenantId ? open.manager : this.app.manager;
    return manager.getRepository(entity).createQueryBuilder(alias);
  }

  /**
   * The entities a read of one statement selects, as the tenant: inside the request's transaction when
   * one is open, else in a read-only transaction of a single round trip (`selectAsTenant`); row-level
   * security confines it either way.
   */
  async select<E extends ObjectLiteral>(principal: Principal, builder: SelectQueryBuilder<E>): Promise<E[]> {
    const open = requestScope.getStore()?.transaction;
    if (open !== undefined && open.tenantId === principal.tenantId) return builder.getMany();
    return this.translated(() =>
      selectAsTenant(this.app, { tenantId: principal.tenantId, actor: principal.actor }, builder),
    );
  }

  /**
   * Runs a whole request (a write with `Idempotency-Key` or `?dryRun=true`, a gRPC call, a bulk request)
   * in one tenant transaction that every `forTenant` inside it joins; `dryRun` tells `asSystem` to roll
   * back too. Already inside a request's transaction for this tenant, `work` simply joins it.
   */
  async inRequestTransaction<T>(
    principal: Principal,
    work: Work<T>,
    options: { readonly dryRun?: boolean } = {},
  ): Promise<T> {
    const open = requestScope.getStore()?.transaction;
    if (open !== undefined && open.tenantId === principal.tenantId) return work(open.manager);
    return this.translated(() =>
      withTenant(this.app, { tenantId: principal.tenantId, actor: principal.actor }, (manager) =>
        requestScope.run(
          { dryRun: options.dryRun === true, transaction: { tenantId: principal.tenantId, manager } },
          () => work(manager),
        ),
      ),
    );
  }

  /** Installation-level work; in a dry run it is rolled back like the rest of the request. */
  async asSystem<T>(actor: string, work: Work<T>): Promise<T> {
    if (requestScope.getStore()?.dryRun !== true) {
      return this.translated(() => withSystem(this.system, { actor }, work));
    }
    try {
      await this.translated(() =>
        withSystem(this.system, { actor }, async (manager) => {
          throw new DryRunRollback(await work(manager));
        }),
      );
    } catch (error) {
      if (error instanceof DryRunRollback) return error.result as T;
      throw error;
    }
    throw new Error('unreachable: a dry run always rolls back');
  }

  private async translated<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw translateDatabaseError(error);
    }
  }
}
