import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { createEvent, DomainError } from '@envoy-fleet/domain';
import { appendEvents, TenantEntity, updateVersioned } from '@envoy-fleet/db';
import type { EntityManager } from 'typeorm';
import { API_SETTINGS } from '../../api.tokens';
import type { ApiSettings } from '../../api-settings';
import { CredentialsService } from '../../auth/credentials.service';
import type { Principal } from '../../auth/principal';
import { listPage } from '../../database/list-page';
import { UnitOfWork } from '../../database/unit-of-work.service';
import { deleteVersioned } from '../../database/versioned-delete';
import type { ListQuery, Page } from '../../http/list-query';
import { mergePatchObject } from '../../http/merge-patch';
import { parseRequest } from '../../http/zod-request';
import { createApiKey } from '../api-keys/api-key.service';
import {
  type CreatedTenantView,
  TENANT_LIST,
  tenantColumns,
  type TenantCreate,
  type TenantView,
  tenantView,
  type TenantWrite,
  tenantWriteOf,
  tenantWriteSchema,
} from './tenant.dto';

/**
 * Tenants. Installation admins work as the system role and see every tenant; other admins read their
 * own tenant only, through row-level security like any other read.
 */
@Injectable()
export class TenantService {
  constructor(
    private readonly unitOfWork: UnitOfWork,
    private readonly credentials: CredentialsService,
    @Inject(API_SETTINGS) private readonly settings: ApiSettings,
  ) {}

  list(principal: Principal, query: ListQuery): Promise<Page<TenantView>> {
    return this.read(principal, async (manager) => {
      const page = await listPage(
        manager.getRepository(TenantEntity).createQueryBuilder('tenant'),
        TENANT_LIST,
        query,
      );
      return { items: page.items.map(tenantView), nextCursor: page.nextCursor };
    });
  }

  get(principal: Principal, id: string): Promise<TenantView> {
    return this.read(principal, async (manager) => tenantView(await findTenant(manager, id)));
  }

  create(principal: Principal, create: TenantCreate): Promise<CreatedTenantView> {
    return this.unitOfWork.asSystem(principal.actor, async (manager) => {
      const tenant = await manager.save(
        manager.create(TenantEntity, { name: create.name, ...tenantColumns(create) }),
      );
      const adminApiKey = await createApiKey(manager, tenant.id, {
        name: 'admin',
        role: 'admin',
        scopes: [],
        expiresAt: null,
      });
      await appendEvents(manager, [
        createEvent('tenant.created', {
          id: randomUUID(),
          tenantId: tenant.id,
          aggregateId: tenant.id,
          payload: { tenantId: tenant.id, name: tenant.name },
        }),
      ]);
      return { ...tenantView(tenant), adminApiKey };
    });
  }

  async replace(
    principal: Principal,
    id: string,
    expectedVersion: number,
    write: TenantWrite,
  ): Promise<TenantView> {
    if (id === this.settings.adminTenantId && write.status !== 'active') {
      throw new DomainError(
        'INVALID_STATE',
        'the admin tenant cannot be suspended: nobody could manage tenants any more',
      );
    }
    const tenant = await this.unitOfWork.asSystem(principal.actor, (manager) =>
      updateVersioned(manager, TenantEntity, id, expectedVersion, tenantColumns(write)),
    );
    this.credentials.forgetLimits(id);
    return tenantView(tenant);
  }

  async patch(
    principal: Principal,
    id: string,
    expectedVersion: number,
    patch: unknown,
  ): Promise<TenantView> {
    const current = await this.get(principal, id);
    const merged = mergePatchObject(tenantWriteOf(current), patch);
    return this.replace(principal, id, expectedVersion, parseRequest(tenantWriteSchema, merged, 'body'));
  }

  async delete(principal: Principal, id: string, expectedVersion: number): Promise<void> {
    if (id === this.settings.adminTenantId) {
      throw new DomainError('INVALID_STATE', 'the admin tenant cannot be deleted');
    }
    await this.unitOfWork.asSystem(principal.actor, (manager) =>
      deleteVersioned(manager, TenantEntity, id, expectedVersion),
    );
    this.credentials.forgetLimits(id);
  }

  private read<T>(principal: Principal, work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return principal.installationAdmin
      ? this.unitOfWork.asSystem(principal.actor, work)
      : this.unitOfWork.forTenant(principal, work);
  }
}

async function findTenant(manager: EntityManager, id: string): Promise<TenantEntity> {
  const tenant = await manager.findOneBy(TenantEntity, { id });
  if (tenant === null) throw DomainError.notFound('tenant', id);
  return tenant;
}
