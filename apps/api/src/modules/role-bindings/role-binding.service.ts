import { Injectable } from '@nestjs/common';
import { DomainError } from '@envoy-fleet/domain';
import { ApiKeyEntity, RoleBindingEntity, updateVersioned, UserEntity } from '@envoy-fleet/db';
import type { EntityManager } from 'typeorm';
import type { Principal } from '../../auth/principal';
import { listPage } from '../../database/list-page';
import { UnitOfWork } from '../../database/unit-of-work.service';
import { deleteVersioned } from '../../database/versioned-delete';
import type { ListQuery, Page } from '../../http/list-query';
import { mergePatchObject } from '../../http/merge-patch';
import { parseRequest } from '../../http/zod-request';
import {
  ROLE_BINDING_LIST,
  type RoleBindingCreate,
  type RoleBindingView,
  roleBindingView,
  type RoleBindingWrite,
  roleBindingWriteSchema,
} from './role-binding.dto';

/**
 * Who holds which role in the tenant. The auth guard reads them on every request: an API key's
 * binding, and the binding of the user an identity provider's token names (docs in the README).
 * An API key is created with its binding and keeps it until the key is deleted.
 */
@Injectable()
export class RoleBindingService {
  constructor(private readonly unitOfWork: UnitOfWork) {}

  list(principal: Principal, query: ListQuery): Promise<Page<RoleBindingView>> {
    return this.unitOfWork.forTenant(principal, async (manager) => {
      const page = await listPage(
        manager.getRepository(RoleBindingEntity).createQueryBuilder('binding'),
        ROLE_BINDING_LIST,
        query,
      );
      return { items: page.items.map(roleBindingView), nextCursor: page.nextCursor };
    });
  }

  get(principal: Principal, id: string): Promise<RoleBindingView> {
    return this.unitOfWork.forTenant(principal, async (manager) =>
      roleBindingView(await findBinding(manager, id)),
    );
  }

  create(principal: Principal, create: RoleBindingCreate): Promise<RoleBindingView> {
    return this.unitOfWork.forTenant(principal, async (manager) => {
      await assertSubjectExists(manager, create);
      const binding = await manager.save(
        manager.create(RoleBindingEntity, {
          tenantId: principal.tenantId,
          userId: create.userId ?? null,
          apiKeyId: create.apiKeyId ?? null,
          role: create.role,
        }),
      );
      return roleBindingView(binding);
    });
  }

  replace(
    principal: Principal,
    id: string,
    expectedVersion: number,
    write: RoleBindingWrite,
  ): Promise<RoleBindingView> {
    return this.unitOfWork.forTenant(principal, async (manager) => {
      assertNotOwn(principal, await findBinding(manager, id));
      return roleBindingView(
        await updateVersioned(manager, RoleBindingEntity, id, expectedVersion, { role: write.role }),
      );
    });
  }

  async patch(
    principal: Principal,
    id: string,
    expectedVersion: number,
    patch: unknown,
  ): Promise<RoleBindingView> {
    const current = await this.get(principal, id);
    const merged = mergePatchObject({ role: current.role }, patch);
    return this.replace(principal, id, expectedVersion, parseRequest(roleBindingWriteSchema, merged, 'body'));
  }

  delete(principal: Principal, id: string, expectedVersion: number): Promise<void> {
    return this.unitOfWork.forTenant(principal, async (manager) => {
      const binding = await findBinding(manager, id);
      if (binding.apiKeyId !== null) {
        throw new DomainError(
          'INVALID_STATE',
          `role binding ${id} belongs to API key ${binding.apiKeyId}; change its role, or revoke or delete the key`,
          { details: { entity: 'role binding', id, apiKeyId: binding.apiKeyId } },
        );
      }
      await deleteVersioned(manager, RoleBindingEntity, id, expectedVersion);
    });
  }
}

async function findBinding(manager: EntityManager, id: string): Promise<RoleBindingEntity> {
  const binding = await manager.findOneBy(RoleBindingEntity, { id });
  if (binding === null) throw DomainError.notFound('role binding', id);
  return binding;
}

async function assertSubjectExists(manager: EntityManager, create: RoleBindingCreate): Promise<void> {
  const [path, found] =
    create.userId === undefined
      ? ['apiKeyId', await manager.existsBy(ApiKeyEntity, { id: create.apiKeyId })]
      : ['userId', await manager.existsBy(UserEntity, { id: create.userId })];
  DomainError.assertValid(
    'role binding',
    found
      ? []
      : [{ path, message: `refers to ${path === 'userId' ? 'a user' : 'an API key'} that does not exist` }],
  );
}

/** A caller cannot change its own role: it could lock the tenant's last admin out. */
function assertNotOwn(principal: Principal, binding: RoleBindingEntity): void {
  if (binding.apiKeyId !== null && binding.apiKeyId === principal.apiKeyId) {
    throw new DomainError(
      'INVALID_STATE',
      `role binding ${binding.id} is the caller's own; change it with another admin credential`,
      { details: { entity: 'role binding', id: binding.id } },
    );
  }
}
