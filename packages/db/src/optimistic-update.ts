import { DomainError } from '@envoy-fleet/domain';
import { type EntityManager, type EntityTarget, type FindOptionsWhere, type ObjectLiteral } from 'typeorm';
import { type QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';

interface Versioned extends ObjectLiteral {
  id: string;
  version: number;
}

/**
 * Applies `changes` only if the row is still at `expectedVersion` (the client's `If-Match`), and
 * returns the row as stored. Fails with PRECONDITION_FAILED when someone else changed it first, and
 * NOT_FOUND when it does not exist (or belongs to another tenant, which RLS makes the same thing).
 */
export async function updateVersioned<E extends Versioned>(
  manager: EntityManager,
  target: EntityTarget<E>,
  id: string,
  expectedVersion: number,
  changes: QueryDeepPartialEntity<E>,
): Promise<E> {
  const repository = manager.getRepository(target);
  const result = await repository
    .createQueryBuilder()
    .update()
    .set(changes)
    .where('id = :id AND version = :expectedVersion', { id, expectedVersion })
    .execute();
  const byId = { id } as FindOptionsWhere<E>;
  if (result.affected === 0) {
    const table = repository.metadata.tableName;
    const exists = await repository.existsBy(byId);
    throw exists ? DomainError.staleVersion(table, id, expectedVersion) : DomainError.notFound(table, id);
  }
  return repository.findOneByOrFail(byId);
}
