import { Injectable } from '@nestjs/common';
import type {
  RolloutCommand,
  RolloutState as RolloutStateName,
  RolloutStrategy as StrategyName,
} from '@envoy-fleet/domain';
import {
  type ControlPlaneServiceServer,
  type Duration,
  type Rollout,
  type RolloutGates,
  RolloutState,
  RolloutStrategy,
  type RolloutWave,
} from '@envoy-fleet/proto/management';
import type { Principal } from '../auth/principal';
import { parseLabelSelectorQuery } from '../http/label-selector-query';
import { parseRequest } from '../http/zod-request';
import { configApplySchema } from '../modules/config-bindings/config-apply.dto';
import { ConfigApplyService } from '../modules/config-bindings/config-apply.service';
import { ROLLOUT_LIST, type RolloutView } from '../modules/rollouts/rollout.dto';
import { RolloutService } from '../modules/rollouts/rollout.service';
import { GrpcEdge } from './grpc-edge';
import {
  etagOf,
  expectedVersion,
  fieldPaths,
  inRequestTerms,
  invalidField,
  listQueryOf,
  nextPageToken,
  required,
  timestampOf,
  uuidOf,
} from './grpc-request';
import { nameOf } from './proxy-messages';

const STATES: Readonly<Record<RolloutStateName, RolloutState>> = {
  pending: RolloutState.ROLLOUT_STATE_PENDING,
  running: RolloutState.ROLLOUT_STATE_RUNNING,
  paused: RolloutState.ROLLOUT_STATE_PAUSED,
  completed: RolloutState.ROLLOUT_STATE_COMPLETED,
  aborted: RolloutState.ROLLOUT_STATE_ABORTED,
  rolled_back: RolloutState.ROLLOUT_STATE_ROLLED_BACK,
};

const STRATEGIES: Readonly<Record<StrategyName, RolloutStrategy>> = {
  all_at_once: RolloutStrategy.ROLLOUT_STRATEGY_ALL_AT_ONCE,
  waves: RolloutStrategy.ROLLOUT_STRATEGY_WAVES,
};

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

function durationOf(seconds: number): Duration {
  return { seconds: String(seconds), nanos: 0 };
}

function rolloutMessage(view: RolloutView): Rollout {
  return {
    id: view.id,
    configId: view.configId,
    target: undefined,
    configVersion: 0,
    configVersionId: view.configVersionId,
    baseVersionId: view.baseVersionId ?? '',
    strategy: STRATEGIES[view.strategy],
    waves: view.waves.map((wave): RolloutWave =>
      'proxies' in wave ? { proxies: wave.proxies } : { percent: wave.percent },
    ),
    gates: {
      bake: durationOf(view.gates.bakeSeconds),
      maxNackedRatio: view.gates.maxNackedRatio,
      minHealthyRatio: view.gates.minHealthyRatio,
      autoRollback: view.gates.autoRollback,
    },
    state: STATES[view.state],
    currentWave: view.currentWave,
    waveProxies: view.waveProxies.map((proxyIds) => ({ proxyIds })),
    waveSettleTime: timestampOf(view.waveSettledAt),
    reason: view.reason ?? '',
    createdBy: view.createdBy,
    startTime: timestampOf(view.startedAt),
    finishTime: timestampOf(view.finishedAt),
    createTime: timestampOf(view.createdAt),
    updateTime: timestampOf(view.updatedAt),
    etag: etagOf(view.version),
  };
}

/** The bake time in whole seconds; fractions are refused rather than rounded. */
function bakeSecondsOf(bake: Duration): number {
  if (bake.nanos !== 0) throw invalidField('rollout.gates.bake', 'must be whole seconds');
  return Number(bake.seconds);
}

/** The gates as the REST plan takes them: what the message leaves out takes the plan's default. */
function gatesOf(gates: RolloutGates | undefined): Record<string, unknown> {
  if (gates === undefined) return {};
  return {
    ...(gates.bake === undefined ? {} : { bakeSeconds: bakeSecondsOf(gates.bake) }),
    ...(gates.maxNackedRatio === undefined ? {} : { maxNackedRatio: gates.maxNackedRatio }),
    ...(gates.minHealthyRatio === undefined ? {} : { minHealthyRatio: gates.minHealthyRatio }),
    ...(gates.autoRollback === undefined ? {} : { autoRollback: gates.autoRollback }),
  };
}

/** `rollout.target` as the apply body's one target: a single group, proxy ids, or a label selector. */
function targetOf(rollout: Rollout): Record<string, unknown> {
  const target = required(rollout.target, 'rollout.target');
  const given = [target.groupIds.length > 0, target.proxyIds.length > 0, target.labelSelector !== ''];
  if (given.filter(Boolean).length !== 1) {
    throw invalidField(
      'rollout.target',
      'name exactly one of group_ids (one group), proxy_ids and label_selector',
    );
  }
  if (target.groupIds.length > 0) {
    if (target.groupIds.length > 1) throw invalidField('rollout.target.group_ids', 'name one group');
    return { groupId: target.groupIds[0] };
  }
  if (target.proxyIds.length > 0) return { proxyIds: target.proxyIds };
  return { selector: parseLabelSelectorQuery(target.labelSelector, 'rollout.target.label_selector') };
}

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
        const body = {
          ...targetOf(rollout),
          ...(rollout.configVersion === 0 ? {} : { version: rollout.configVersion }),
          rollout: {
            strategy: nameOf(STRATEGIES, rollout.strategy, 'rollout.strategy'),
            waves: rollout.waves.map((wave) =>
              wave.proxies !== undefined ? { proxies: wave.proxies } : { percent: wave.percent },
            ),
            gates: gatesOf(rollout.gates),
          },
        };
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
