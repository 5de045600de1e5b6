import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { canonicalJson, createEvent, DomainError } from '@envoy-fleet/domain';
import { appendEvents, ConfigBindingEntity, updateVersioned } from '@envoy-fleet/db';
import type { EntityManager } from 'typeorm';
import type { Principal } from '../../auth/principal';
import { findConfigWithLatestVersion } from '../../database/lookups';
import { UnitOfWork } from '../../database/unit-of-work.service';
import { rolloutView } from '../rollouts/rollout.dto';
import { RolloutService } from '../rollouts/rollout.service';
import type { ConfigApply, ConfigApplyView } from './config-apply.dto';
import { type ConfigBindingColumns, configBindingColumns, configBindingView } from './config-binding.dto';
import { assertReferences, bindingChanged } from './config-binding.service';

/**
 * Applies a config to proxies by binding it (seed 001 6.1 `POST /configs/{id}/apply`): the target's
 * existing binding of that mode is re-pointed at the config, or a new one is created. One transaction:
 * the bindings, a `binding.changed` per binding, the rollout when one is asked for, and one
 * `config.applied`; fleet-manager then builds and publishes the snapshots.
 */
@Injectable()
export class ConfigApplyService {
  constructor(
    private readonly unitOfWork: UnitOfWork,
    private readonly rollouts: RolloutService,
  ) {}

  apply(principal: Principal, configId: string, apply: ConfigApply): Promise<ConfigApplyView> {
    return this.unitOfWork.forTenant(principal, async (manager) => {
      const { config, version } = await findConfigWithLatestVersion(manager, configId);
      if (apply.version !== undefined && apply.version !== config.latestVersion) {
        throw new DomainError(
          'CONFLICT',
          `version ${apply.version} of config ${configId} is not its newest (${config.latestVersion}); bindings serve the newest version, so roll back to version ${apply.version} first`,
          { details: { requested: apply.version, newest: config.latestVersion } },
        );
      }
      const bindings: ConfigBindingEntity[] = [];
      for (const columns of targetsOf(configId, apply)) {
        await assertReferences(manager, columns);
        bindings.push(await upsertBinding(manager, principal, columns));
      }
      const rollout =
        apply.rollout === undefined
          ? null
          : await this.rollouts.create(manager, principal, config, version, apply.rollout);
      await appendEvents(manager, [
        createEvent('config.applied', {
          id: randomUUID(),
          tenantId: principal.tenantId,
          aggregateId: configId,
          payload: { configId, versionId: version.id, rolloutId: rollout?.id ?? null },
        }),
      ]);
      return {
        configId,
        versionId: version.id,
        version: version.number,
        bindings: bindings.map(configBindingView),
        rollout: rollout === null ? null : rolloutView(rollout),
      };
    });
  }
}

function targetsOf(configId: string, apply: ConfigApply): ConfigBindingColumns[] {
  const { priority } = apply;
  if (apply.groupId !== undefined) {
    return [configBindingColumns({ mode: 'group', groupId: apply.groupId, configId, priority })];
  }
  if (apply.selector !== undefined) {
    return [configBindingColumns({ mode: 'label_selector', selector: apply.selector, configId, priority })];
  }
  return [...new Set(apply.proxyIds)].map((proxyId) =>
    configBindingColumns({ mode: 'instance', proxyId, configId, priority }),
  );
}

/** The target's binding of the same mode, re-pointed; or a new binding. */
async function upsertBinding(
  manager: EntityManager,
  principal: Principal,
  columns: ConfigBindingColumns,
): Promise<ConfigBindingEntity> {
  const sameMode = await manager.findBy(ConfigBindingEntity, {
    mode: columns.mode,
    ...(columns.proxyId === null ? {} : { proxyId: columns.proxyId }),
    ...(columns.groupId === null ? {} : { groupId: columns.groupId }),
  });
  const existing = sameMode
    .filter(
      (binding) =>
        columns.labelSelector === null ||
        canonicalJson(binding.labelSelector) === canonicalJson(columns.labelSelector),
    )
    .sort((a, b) => b.priority - a.priority || a.id.localeCompare(b.id))[0];
  if (existing === undefined) {
    const created = await manager.save(
      manager.create(ConfigBindingEntity, { ...columns, tenantId: principal.tenantId }),
    );
    await appendEvents(manager, [bindingChanged(principal, created, 'created')]);
    return created;
  }
  const updated = await updateVersioned(manager, ConfigBindingEntity, existing.id, existing.version, {
    configId: columns.configId,
    priority: columns.priority,
  });
  await appendEvents(manager, [bindingChanged(principal, updated, 'updated')]);
  return updated;
}
