import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { appendEvents, ConfigEntity, ConfigVersionEntity } from '@envoy-fleet/db';
import { createEvent, DomainError } from '@envoy-fleet/domain';
import type { Principal } from '../../auth/principal';
import { UnitOfWork } from '../../database/unit-of-work.service';
import type { ConfigReleaseView } from './config-release.dto';

/**
 * `POST /configs/{id}/versions/{number}/release`: an operator overrides the lasting NACKs that withhold a
 * config version from proxies that connect later (docs/rollouts.md). The release is recorded on each NACK
 * it covers, and `config.version.released` goes through the outbox in the same transaction; fleet-manager's
 * snapshot consumer then rebuilds the tenant, and proxies not served the version yet get it. A NACK that
 * lasts after the release withholds the version again.
 */
@Injectable()
export class ConfigReleaseService {
  constructor(private readonly unitOfWork: UnitOfWork) {}

  release(principal: Principal, configId: string, number: number): Promise<ConfigReleaseView> {
    return this.unitOfWork.forTenant(principal, async (manager) => {
      const config = await manager.findOne(ConfigEntity, { select: { id: true }, where: { id: configId } });
      if (config === null) throw DomainError.notFound('config', configId);
      const version = await manager.findOne(ConfigVersionEntity, {
        select: { id: true },
        where: { configId, number },
      });
      if (version === null) throw DomainError.notFound('config version', `${configId}/${number}`);
      const [released] = await manager.query<[{ node_id: string; released_at: Date }[], number]>(
        `UPDATE config_history h SET released_at = now(), released_by = $2
         FROM proxies p
         WHERE p.id = h.proxy_id AND h.config_version_id = $1
           AND h.status = 'nacked' AND h.settled_at IS NOT NULL AND h.released_at IS NULL
         RETURNING p.node_id, h.released_at`,
        [version.id, principal.actor],
      );
      if (released.length === 0) {
        throw new DomainError(
          'INVALID_STATE',
          `config ${configId} version ${number} is not withheld: no proxy NACKed it lastingly since it was last released`,
          {
            details: {
              entity: 'config version',
              id: version.id,
              state: 'not withheld',
              operation: 'release',
            },
          },
        );
      }
      const event = createEvent('config.version.released', {
        id: randomUUID(),
        tenantId: principal.tenantId,
        aggregateId: configId,
        payload: { configId, versionId: version.id, version: number, nacks: released.length },
      });
      await appendEvents(manager, [event]);
      return {
        configId,
        version: number,
        versionId: version.id,
        nacksReleased: released.length,
        nodeIds: [...new Set(released.map((row) => row.node_id))].sort(),
        releasedAt: (released[0]?.released_at ?? new Date()).toISOString(),
        releasedBy: principal.actor,
        eventId: event.id,
      };
    });
  }
}
