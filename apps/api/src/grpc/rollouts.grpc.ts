import { Injectable } from '@nestjs/common';
import type { RolloutCommand } from '@envoy-fleet/domain';
import { type ControlPlaneServiceServer, type Rollout, RolloutState } from '@envoy-fleet/proto/management';
import type { Principal } from '../auth/principal';
import { parseRequest } from '../http/zod-request';
import { configApplySchema } from '../modules/config-bindings/config-apply.dto';
import { ConfigApplyService } from '../modules/config-bindings/config-apply.service';
import { ROLLOUT_LIST } from '../modules/rollouts/rollout.dto';
import { RolloutService } from '../modules/rollouts/rollout.service';
import { GrpcEdge } from './grpc-edge';
import {
  expectedVersion,
  fieldPaths,
  inRequestTerms,
  listQueryOf,
  nextPageToken,
  required,
  uuidOf,
} from './grpc-request';
import { nameOf } from './proxy-messages';
import { applyBodyOf, rolloutMessage, STATES } from './rollout-messages';

/**
 * Paths of `POST /configs/{id}/apply` → the CreateRollout request's: the target's fields, and the
 * plan's fields in the rollout message.
 */
const CREATE_PATHS = fieldPaths('', {
  groupId: 'rollout.target.group_ids',
  proxyIds: 'rollout.target.proxy_ids',
  selector: 'rollout.target.label_selector',
  version: 'rollout.config_version',
  'rollout.gates.bakeSeconds': 'rollout.gates.bake',
  'rollout.gates.maxNackedRatio': 'rollout.gates.max_nacked_ratio',
  'rollout.gates.minHealthyRatio': 'rollout.gates.min_healthy_ratio',
  'rollout.gates.autoRollback': 'rollout.gates.auto_rollback',
  // The plan's own rules report paths relative to the plan.
  strategy: 'rollout.strategy',
  waves: 'rollout.waves',
  gates: 'rollout.gates',
});

type RolloutHandlers = Pick<
  ControlPlaneServiceServer,
  | 'createRollout'
  | 'getRollout'
  | 'listRollouts'
  | 'pauseRollout'
  | 'resumeRollout'
  | 'abortRollout'
  | 'promoteRollout'
>;

/**
 * The rollout RPCs over the services of `POST /configs/{id}/apply` and `/api/v1/rollouts`: CreateRollout
 * applies the config to its target with a rollout plan; the commands take the rollout's ETag (empty:
 * the version read in the call's transaction).
 */
@Injectable()
export class RolloutGrpcHandlers {
  constructor(
    private readonly edge: GrpcEdge,
    private readonly rollouts: RolloutService,
    private readonly applies: ConfigApplyService,
  ) {}

  handlers(): RolloutHandlers {
    const { edge, rollouts, applies } = this;
    const command = (name: RolloutCommand) =>
      edge.unary<{ id: string; etag: string }, { rollout: Rollout }>(
        { role: 'operator' },
        async (principal: Principal, request) => {
          const id = uuidOf(request.id, 'id');
          const version = await expectedVersion(request.etag, () => rollouts.get(principal, id));
          return { rollout: rolloutMessage(await rollouts.command(principal, id, version, name)) };
        },
      );
    return {
      createRollout: edge.unary({ role: 'operator' }, async (principal, request) => {
        const rollout = required(request.rollout, 'rollout');
        const configId = uuidOf(rollout.configId, 'rollout.config_id');
        const body = applyBodyOf(rollout);
        const applied = await inRequestTerms(CREATE_PATHS, () =>
          applies.apply(principal, configId, parseRequest(configApplySchema, body, 'body')),
        );
        if (applied.rollout === null) throw new Error('apply with a rollout plan made no rollout');
        return { rollout: rolloutMessage(applied.rollout) };
      }),
      getRollout: edge.unary({ role: 'viewer' }, async (principal, request) => ({
        rollout: rolloutMessage(await rollouts.get(principal, uuidOf(request.id, 'id'))),
      })),
      listRollouts: edge.unary({ role: 'viewer' }, async (principal, request) => {
        const query = await listQueryOf(ROLLOUT_LIST, request, {
          configId: { field: 'config_id', value: request.configId },
          state: {
            field: 'state',
            value:
              request.state === RolloutState.ROLLOUT_STATE_UNSPECIFIED
                ? undefined
                : nameOf(STATES, request.state, 'state'),
          },
        });
        const page = await rollouts.list(principal, query);
        return { rollouts: page.items.map(rolloutMessage), nextPageToken: nextPageToken(page.nextCursor) };
      }),
      pauseRollout: command('pause'),
      resumeRollout: command('resume'),
      abortRollout: command('abort'),
      promoteRollout: command('promote'),
    };
  }
}
