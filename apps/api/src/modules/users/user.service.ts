import { Injectable } from '@nestjs/common';
import { DomainError } from '@envoy-fleet/domain';
import { updateVersioned, UserEntity } from '@envoy-fleet/db';
import type { EntityManager } from 'typeorm';
import type { Principal } from '../../auth/principal';
import { listPage } from '../../database/list-page';
import { UnitOfWork } from '../../database/unit-of-work.service';
import { deleteVersioned } from '../../database/versioned-delete';
import type { ListQuery, Page } from '../../http/list-query';
import { mergePatchObject } from '../../http/merge-patch';
import { parseRequest } from '../../http/zod-request';
import { USER_LIST, type UserView, userView, type UserWrite, userWriteOf, userWriteSchema } from './user.dto';

/** Users of the caller's tenant; deleting one deletes its role binding (a foreign-key cascade). */
@Injectable()
export class UserService {
  constructor(private readonly unitOfWork: UnitOfWork) {}

  list(principal: Principal, query: ListQuery): Promise<Page<UserView>> {
    return this.unitOfWork.forTenant(principal, async (manager) => {
      const page = await listPage(
        manager.getRepository(UserEntity).createQueryBuilder('usr'),
        USER_LIST,
        query,
      );
      return { items: page.items.map(userView), nextCursor: page.nextCursor };
    });
  }

  get(principal: Principal, id: string): Promise<UserView> {
    return this.unitOfWork.forTenant(principal, async (manager) => userView(await findUser(manager, id)));
  }

  create(principal: Principal, write: UserWrite): Promise<UserView> {
    return this.unitOfWork.forTenant(principal, async (manager) =>
      userView(await manager.save(manager.create(UserEntity, { ...write, tenantId: principal.tenantId }))),
    );
  }

  replace(principal: Principal, id: string, expectedVersion: number, write: UserWrite): Promise<UserView> {
    return this.unitOfWork.forTenant(principal, async (manager) => {
      await findUser(manager, id);
      return userView(await updateVersioned(manager, UserEntity, id, expectedVersion, { ...write }));
    });
  }

  async patch(principal: Principal, id: string, expectedVersion: number, patch: unknown): Promise<UserView> {
    const current = await this.get(principal, id);
    const merged = mergePatchObject(userWriteOf(current), patch);
    return this.replace(principal, id, expectedVersion, parseRequest(userWriteSchema, merged, 'body'));
  }

  delete(principal: Principal, id: string, expectedVersion: number): Promise<void> {
    return this.unitOfWork.forTenant(principal, (manager) =>
      deleteVersioned(manager, UserEntity, id, expectedVersion),
    );
  }
}

async function findUser(manager: EntityManager, id: string): Promise<UserEntity> {
  const user = await manager.findOneBy(UserEntity, { id });
  if (user === null) throw DomainError.notFound('user', id);
  return user;
}
