import { Injectable } from '@nestjs/common';
import { DomainError, type Role } from '@envoy-fleet/domain';
import { ApiKeyEntity, RoleBindingEntity, updateVersioned } from '@envoy-fleet/db';
import type { EntityManager } from 'typeorm';
import { In } from 'typeorm';
import { generateApiKey } from '../../auth/api-key-token';
import type { Principal } from '../../auth/principal';
import { listPage } from '../../database/list-page';
import { UnitOfWork } from '../../database/unit-of-work.service';
import { deleteVersioned } from '../../database/versioned-delete';
import type { ListQuery, Page } from '../../http/list-query';
import { mergePatchObject } from '../../http/merge-patch';
import { parseRequest } from '../../http/zod-request';
import {
  API_KEY_LIST,
  type ApiKeyCreate,
  type ApiKeyView,
  apiKeyView,
  type ApiKeyWrite,
  apiKeyWriteOf,
  apiKeyWriteSchema,
  type CreatedApiKeyView,
} from './api-key.dto';

/** API keys of the caller's tenant, each bound to one role. */
@Injectable()
export class ApiKeyService {
  constructor(private readonly unitOfWork: UnitOfWork) {}

  list(principal: Principal, query: ListQuery): Promise<Page<ApiKeyView>> {
    return this.unitOfWork.forTenant(principal, async (manager) => {
      const page = await listPage(
        manager.getRepository(ApiKeyEntity).createQueryBuilder('key'),
        API_KEY_LIST,
        query,
      );
      const roles = await rolesOf(
        manager,
        page.items.map((key) => key.id),
      );
      return {
        items: page.items.map((key) => apiKeyView(key, roles.get(key.id) ?? 'viewer')),
        nextCursor: page.nextCursor,
      };
    });
  }

  get(principal: Principal, id: string): Promise<ApiKeyView> {
    return this.unitOfWork.forTenant(principal, (manager) => viewOf(manager, id));
  }

  create(principal: Principal, create: ApiKeyCreate): Promise<CreatedApiKeyView> {
    return this.unitOfWork.forTenant(principal, (manager) =>
      createApiKey(manager, principal.tenantId, create),
    );
  }

  replace(
    principal: Principal,
    id: string,
    expectedVersion: number,
    write: ApiKeyWrite,
  ): Promise<ApiKeyView> {
    return this.unitOfWork.forTenant(principal, async (manager) => {
      const current = await findKey(manager, id);
      if (current.revokedAt !== null && !write.revoked) {
        throw new DomainError('INVALID_STATE', `API key ${id} is revoked; a revoked key cannot be restored`);
      }
      const key = await updateVersioned(manager, ApiKeyEntity, id, expectedVersion, {
        name: write.name,
        scopes: write.scopes,
        expiresAt: write.expiresAt === null ? null : new Date(write.expiresAt),
        revokedAt: write.revoked ? (current.revokedAt ?? new Date()) : null,
      });
      await manager.update(RoleBindingEntity, { apiKeyId: id }, { role: write.role });
      return apiKeyView(key, write.role);
    });
  }

  async patch(
    principal: Principal,
    id: string,
    expectedVersion: number,
    patch: unknown,
  ): Promise<ApiKeyView> {
    const current = await this.get(principal, id);
    const merged = mergePatchObject(apiKeyWriteOf(current), patch);
    return this.replace(principal, id, expectedVersion, parseRequest(apiKeyWriteSchema, merged, 'body'));
  }

  delete(principal: Principal, id: string, expectedVersion: number): Promise<void> {
    if (id === principal.apiKeyId) {
      throw new DomainError('INVALID_STATE', 'an API key cannot delete itself; use another admin key');
    }
    return this.unitOfWork.forTenant(principal, (manager) =>
      deleteVersioned(manager, ApiKeyEntity, id, expectedVersion),
    );
  }
}

/** Creates a key and its role binding in the caller's transaction; the secret is in the result only. */
export async function createApiKey(
  manager: EntityManager,
  tenantId: string,
  create: ApiKeyCreate,
): Promise<CreatedApiKeyView> {
  const generated = generateApiKey();
  const key = await manager.save(
    manager.create(ApiKeyEntity, {
      tenantId,
      name: create.name,
      prefix: generated.prefix,
      keyHash: generated.hash,
      scopes: create.scopes,
      expiresAt: create.expiresAt === null ? null : new Date(create.expiresAt),
    }),
  );
  await manager.save(manager.create(RoleBindingEntity, { tenantId, apiKeyId: key.id, role: create.role }));
  return { ...apiKeyView(key, create.role), secret: generated.token };
}

async function findKey(manager: EntityManager, id: string): Promise<ApiKeyEntity> {
  const key = await manager.findOneBy(ApiKeyEntity, { id });
  if (key === null) throw DomainError.notFound('api key', id);
  return key;
}

async function viewOf(manager: EntityManager, id: string): Promise<ApiKeyView> {
  const key = await findKey(manager, id);
  return apiKeyView(key, (await rolesOf(manager, [id])).get(id) ?? 'viewer');
}

async function rolesOf(manager: EntityManager, keyIds: readonly string[]): Promise<Map<string, Role>> {
  if (keyIds.length === 0) return new Map();
  const bindings = await manager.findBy(RoleBindingEntity, { apiKeyId: In([...keyIds]) });
  return new Map(
    bindings.flatMap((binding) => (binding.apiKeyId === null ? [] : [[binding.apiKeyId, binding.role]])),
  );
}
