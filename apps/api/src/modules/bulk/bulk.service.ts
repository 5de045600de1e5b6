import { Injectable } from '@nestjs/common';
import { DomainError, isDomainError, type ValidationIssue } from '@envoy-fleet/domain';
import { translateDatabaseError } from '@envoy-fleet/db';
import type { EntityManager } from 'typeorm';
import type { z } from 'zod';
import type { Principal } from '../../auth/principal';
import { UnitOfWork } from '../../database/unit-of-work.service';
import { expectedVersionOf } from '../../http/etag';
import { withIssuesAt } from '../../http/issue-paths';
import { problemKindOf } from '../../http/problem-details';
import { uuidParam } from '../../http/request-schemas';
import { parseRequest } from '../../http/zod-request';
import { ConfigService } from '../configs/config.service';
import { proxyConfigSchema } from '../configs/proxy-config';
import { nodeIdParam, proxyCreateSchema, type ProxyView, proxyWriteSchema } from '../proxies/proxy.dto';
import { ProxyService } from '../proxies/proxy.service';
import { proxyGroupWriteSchema } from '../proxy-groups/proxy-group.dto';
import { ProxyGroupService } from '../proxy-groups/proxy-group.service';
import type {
  BulkAction,
  BulkItemResult,
  BulkOperation,
  BulkRequest,
  BulkResource,
  BulkResultView,
} from './bulk.dto';

/** One resource's operations, each the same service call its own route makes. */
interface BulkTarget {
  /** Its path key: a UUID, or a proxy's node id. */
  readonly idSchema: z.ZodType<string>;
  /** The path key of a stored representation. */
  keyOf(item: object): string;
  create(principal: Principal, body: unknown, message: string): Promise<object>;
  replace(principal: Principal, id: string, version: number, body: unknown, message: string): Promise<object>;
  patch(principal: Principal, id: string, version: number, body: unknown, message: string): Promise<object>;
  delete(principal: Principal, id: string, version: number): Promise<void>;
}

interface Failure {
  readonly index: number;
  readonly operation: BulkOperation;
  readonly error: DomainError;
}

const SUCCESS_STATUS: Readonly<Record<BulkAction, number>> = {
  create: 201,
  update: 200,
  patch: 200,
  delete: 204,
};

/**
 * Bulk create/update/delete [API-BK-001/002]: every operation runs in order in one tenant
 * transaction (the request's own under dryRun or Idempotency-Key), each behind a savepoint so that a
 * failed one does not stop the others from being checked. If any failed, everything is rolled back
 * and the problem lists every failed operation; otherwise all commit together with their outbox
 * events and audit rows.
 */
@Injectable()
export class BulkService {
  private readonly targets: Readonly<Record<BulkResource, BulkTarget>>;

  constructor(
    private readonly unitOfWork: UnitOfWork,
    groups: ProxyGroupService,
    proxies: ProxyService,
    configs: ConfigService,
  ) {
    this.targets = {
      'proxy-groups': {
        idSchema: uuidParam,
        keyOf: (item) => (item as { readonly id: string }).id,
        create: (principal, body) =>
          groups.create(principal, parseRequest(proxyGroupWriteSchema, body, 'body')),
        replace: (principal, id, version, body) =>
          groups.replace(principal, id, version, parseRequest(proxyGroupWriteSchema, body, 'body')),
        patch: (principal, id, version, body) => groups.patch(principal, id, version, body),
        delete: (principal, id, version) => groups.delete(principal, id, version),
      },
      proxies: {
        idSchema: nodeIdParam,
        keyOf: (item) => (item as ProxyView).nodeId,
        create: (principal, body) => proxies.create(principal, parseRequest(proxyCreateSchema, body, 'body')),
        replace: (principal, id, version, body) =>
          proxies.replace(principal, id, version, parseRequest(proxyWriteSchema, body, 'body')),
        patch: (principal, id, version, body) => proxies.patch(principal, id, version, body),
        delete: (principal, id, version) => proxies.delete(principal, id, version),
      },
      configs: {
        idSchema: uuidParam,
        keyOf: (item) => (item as { readonly id: string }).id,
        create: (principal, body, message) =>
          configs.create(principal, parseRequest(proxyConfigSchema, body, 'body'), message),
        replace: (principal, id, version, body, message) =>
          configs.replace(principal, id, version, parseRequest(proxyConfigSchema, body, 'body'), message),
        patch: (principal, id, version, body, message) =>
          configs.patch(principal, id, version, body, message),
        delete: (principal, id, version) => configs.delete(principal, id, version),
      },
    };
  }

  execute(principal: Principal, request: BulkRequest): Promise<BulkResultView> {
    return this.unitOfWork.inRequestTransaction(principal, (manager) =>
      this.runAll(principal, manager, request.operations),
    );
  }

  private async runAll(
    principal: Principal,
    manager: EntityManager,
    operations: readonly BulkOperation[],
  ): Promise<BulkResultView> {
    const results: BulkItemResult[] = [];
    const failures: Failure[] = [];
    for (const [index, operation] of operations.entries()) {
      await manager.query('SAVEPOINT bulk_operation');
      try {
        results.push(await this.run(principal, index, operation));
        await manager.query('RELEASE SAVEPOINT bulk_operation');
      } catch (thrown) {
        const error = translateDatabaseError(thrown);
        if (!isDomainError(error)) throw thrown;
        await manager.query('ROLLBACK TO SAVEPOINT bulk_operation');
        failures.push({ index, operation, error });
      }
    }
    if (failures.length > 0) throw bulkFailure(operations.length, failures);
    return { results };
  }

  private async run(principal: Principal, index: number, operation: BulkOperation): Promise<BulkItemResult> {
    const target = this.targets[operation.resource];
    const { action, resource, body } = operation;
    const result = (id: string, item: object | null): BulkItemResult => ({
      index,
      action,
      resource,
      id,
      status: SUCCESS_STATUS[action],
      item: item === null ? null : { ...item },
    });
    const message = operation.message ?? '';
    if (action === 'create') {
      const item = await onBody(() => target.create(principal, body, message));
      return result(target.keyOf(item), item);
    }
    const id = parseRequest(target.idSchema, operation.id, 'body', 'id');
    const version =
      typeof operation.ifMatch === 'number' ? operation.ifMatch : expectedVersionOf(operation.ifMatch);
    switch (action) {
      case 'update':
        return result(id, await onBody(() => target.replace(principal, id, version, body, message)));
      case 'patch':
        return result(id, await onBody(() => target.patch(principal, id, version, body, message)));
      case 'delete':
        await target.delete(principal, id, version);
        return result(id, null);
    }
  }
}

/** Runs an operation on its body: the issues it raises name fields of the body, so they move under `body`. */
function onBody<T>(work: () => Promise<T>): Promise<T> {
  return withIssuesAt((path) => (path === '' ? 'body' : `body.${path}`), work);
}

/**
 * The problem of a rolled-back bulk request: the first failed operation's code and status, and
 * every failed operation in `errors`, at `operations[i]`, then its field issues at `operations[i].body.<path>`.
 */
function bulkFailure(count: number, failures: readonly Failure[]): DomainError {
  const first = failures[0];
  if (first === undefined) throw new Error('a bulk failure needs a failed operation');
  const issues = failures.flatMap(({ index, operation, error }): ValidationIssue[] => {
    const at = `operations[${index}]`;
    const summary = `${operation.action} ${operation.resource}${operation.id === undefined ? '' : ` ${operation.id}`}`;
    const head = {
      path: at,
      message: `${summary} failed with ${problemKindOf(error.code).status} ${error.code}: ${error.message}`,
    };
    return [head, ...error.issues.map((issue) => ({ path: `${at}.${issue.path}`, message: issue.message }))];
  });
  return new DomainError(
    first.error.code,
    `the bulk request was rolled back: ${failures.length} of ${count} operations failed; the first, operations[${first.index}], with: ${first.error.message}`,
    {
      issues,
      details: {
        operations: count,
        failed: failures.length,
        firstFailedIndex: first.index,
        rolledBack: true,
      },
    },
  );
}
