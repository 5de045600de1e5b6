import { AsyncLocalStorage } from 'node:async_hooks';
import type { EntityManager } from 'typeorm';

/**
 * What a write request's interceptors establish around its handler: a tenant transaction the
 * handler's database work joins (so an idempotency record commits with the change it records), and
 * whether the request is a dry run (everything is done, then rolled back).
 */
export interface RequestScope {
  readonly dryRun: boolean;
  readonly transaction?: { readonly tenantId: string; readonly manager: EntityManager };
}

export const requestScope = new AsyncLocalStorage<RequestScope>();

/** Thrown to roll a dry run's transaction back once its result is known. */
export class DryRunRollback<T> extends Error {
  constructor(readonly result: T) {
    super('dry run: rolled back');
  }
}
