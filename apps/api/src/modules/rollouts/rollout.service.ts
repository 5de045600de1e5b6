import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import {
  ACTIVE_ROLLOUT_STATES,
  applyRolloutStep,
  createEvent,
  DomainError,
  type RolloutCommand,
  stepOfCommand,
  validateRolloutPlan,
} from '@envoy-fleet/domain';
import {
  appendEvents,
  type ConfigEntity,
  ConfigVersionEntity,
  RolloutEntity,
  updateVersioned,
} from '@envoy-fleet/db';
import { type EntityManager, In } from 'typeorm';
import type { Principal } from '../../auth/principal';
import { listPage } from '../../database/list-page';
import { UnitOfWork } from '../../database/unit-of-work.service';
import type { ListQuery, Page } from '../../http/list-query';
import { ROLLOUT_LIST, type RolloutPlan, type RolloutView, rolloutView } from './rollout.dto';

/**
 * Rollouts (docs/rollouts.md): created by `POST /configs/{id}/apply` with a plan, driven by
 * fleet-manager's engine, and steered by operators (pause, resume, abort, promote). Every change of
 * state or wave commits `rollout.changed` in the same transaction; fleet-manager then moves proxies
 * between versions.
 */
@Injectable()
export class RolloutService {
  constructor(private readonly unitOfWork: UnitOfWork) {}

  list(principal: Principal, query: ListQuery): Promise<Page<RolloutView>> {
    return this.unitOfWork.forTenant(principal, async (manager) => {
      const page = await listPage(
        manager.getRepository(RolloutEntity).createQueryBuilder('rollout'),
        ROLLOUT_LIST,
        query,
      );
      return { items: page.items.map(rolloutView), nextCursor: page.nextCursor };
    });
  }

  get(principal: Principal, id: string): Promise<RolloutView> {
    return this.unitOfWork.forTenant(principal, async (manager) =>
      rolloutView(await findRollout(manager, id)),
    );
  }

  command(
    principal: Principal,
    id: string,
    expectedVersion: number,
    command: RolloutCommand,
  ): Promise<RolloutView> {
    return this.unitOfWork.forTenant(principal, async (manager) => {
      const rollout = await manager
        .createQueryBuilder(RolloutEntity, 'rollout')
        .where('rollout.id = :id', { id })
        .setLock('pessimistic_write')
        .getOne();
      if (rollout === null) throw DomainError.notFound('rollout', id);
      if (rollout.version !== expectedVersion)
        throw DomainError.staleVersion('rollouts', id, expectedVersion);
      const change = applyRolloutStep(rollout, stepOfCommand(rollout, command, principal.actor), new Date());
      const updated = await updateVersioned(manager, RolloutEntity, id, expectedVersion, {
        state: change.state,
        currentWave: change.currentWave,
        waveSettledAt: change.waveSettledAt,
        reason: change.reason,
        ...(change.finished ? { finishedAt: new Date() } : {}),
      });
      await appendEvents(manager, [rolloutChanged(principal, updated)]);
      return rolloutView(updated);
    });
  }

  /**
   * Creates a pending rollout of the config's newest version, inside the caller's transaction. Its base
   * is the version the config serves now: the newest version if it was never rolled out, else what its
   * newest rollout left (the new version if it completed, the previous one if aborted or rolled back).
   * A config has at most one rollout pending, running or paused (409 otherwise).
   */
  async create(
    manager: EntityManager,
    principal: Principal,
    config: ConfigEntity,
    target: ConfigVersionEntity,
    plan: RolloutPlan,
  ): Promise<RolloutEntity> {
    DomainError.assertValid('rollout plan', validateRolloutPlan(plan));
    const active = await manager.findOneBy(RolloutEntity, {
      configId: config.id,
      state: In([...ACTIVE_ROLLOUT_STATES]),
    });
    if (active !== null) {
      throw new DomainError(
        'CONFLICT',
        `config ${config.id} already has rollout ${active.id} ${active.state}; let it finish, promote or abort it first`,
        { details: { rolloutId: active.id, state: active.state } },
      );
    }
    const previous = await manager.findOne(RolloutEntity, {
      where: { configId: config.id },
      order: { createdAt: 'DESC', id: 'DESC' },
    });
    const baseVersionId =
      previous === null
        ? target.id
        : previous.state === 'completed'
          ? previous.configVersionId
          : previous.baseVersionId;
    const created = await manager.save(
      manager.create(RolloutEntity, {
        tenantId: principal.tenantId,
        configId: config.id,
        configVersionId: target.id,
        baseVersionId,
        strategy: plan.strategy,
        waves: plan.waves,
        gates: plan.gates,
        createdBy: principal.actor,
      }),
    );
    const rollout = await manager.findOneByOrFail(RolloutEntity, { id: created.id });
    await appendEvents(manager, [rolloutChanged(principal, rollout)]);
    return rollout;
  }
}

async function findRollout(manager: EntityManager, id: string): Promise<RolloutEntity> {
  const rollout = await manager.findOneBy(RolloutEntity, { id });
  if (rollout === null) throw DomainError.notFound('rollout', id);
  return rollout;
}

function rolloutChanged(principal: Principal, rollout: RolloutEntity) {
  return createEvent('rollout.changed', {
    id: randomUUID(),
    tenantId: principal.tenantId,
    aggregateId: rollout.id,
    payload: {
      rolloutId: rollout.id,
      configVersionId: rollout.configVersionId,
      state: rollout.state,
      wave: rollout.currentWave,
    },
  });
}
