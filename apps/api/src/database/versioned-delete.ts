import { DomainError } from '@envoy-fleet/domain';
import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';

/**
 * Deletes the row only if it is still at `expectedVersion` (the client's `If-Match`): 412 when someone
 * changed it since, 404 when it does not exist or belongs to another tenant (RLS makes them the same).
 */
export async function deleteVersioned<E extends ObjectLiteral>(
  manager: EntityManager,
  target: EntityTarget<E>,
  id: string,
  expectedVersion: number,
): Promise<void> {
  const repository = manager.getRepository(target);
  const result = await repository
    .createQueryBuilder()
    .delete()
    .where('id = :id AND version = :expectedVersion', { id, expectedVersion })
    .execute();
  if (result.affected === 0) {
    const table = repository.metadata.tableName;
    const exists = await repository.createQueryBuilder('row').where('row.id = :id', { id }).getExists();
    throw exists ? DomainError.staleVersion(table, id, expectedVersion) : DomainError.notFound(table, id);
  }
}
