import type { RolloutState as RolloutStateName, RolloutStrategy as StrategyName } from '@envoy-fleet/domain';
import {
  type Duration,
  type Rollout,
  type RolloutGates,
  RolloutState,
  RolloutStrategy,
  type RolloutWave,
} from '@envoy-fleet/proto/management';
import { parseLabelSelectorQuery } from '../http/label-selector-query';
import type { RolloutView } from '../modules/rollouts/rollout.dto';
import { etagOf, invalidField, required, timestampOf } from './grpc-request';
import { nameOf } from './proxy-messages';

export const STATES: Readonly<Record<RolloutStateName, RolloutState>> = {
  pending: RolloutState.ROLLOUT_STATE_PENDING,
  running: RolloutState.ROLLOUT_STATE_RUNNING,
  paused: RolloutState.ROLLOUT_STATE_PAUSED,
  completed: RolloutState.ROLLOUT_STATE_COMPLETED,
  aborted: RolloutState.ROLLOUT_STATE_ABORTED,
  rolled_back: RolloutState.ROLLOUT_STATE_ROLLED_BACK,
};

export const STRATEGIES: Readonly<Record<StrategyName, RolloutStrategy>> = {
  all_at_once: RolloutStrategy.ROLLOUT_STRATEGY_ALL_AT_ONCE,
  waves: RolloutStrategy.ROLLOUT_STRATEGY_WAVES,
};

function durationOf(seconds: number): Duration {
  return { seconds: String(seconds), nanos: 0 };
}

export function rolloutMessage(view: RolloutView): Rollout {
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

/**
 * A CreateRollout request's rollout as the body of `POST /configs/{id}/apply` with a rollout plan (the
 * plan's values are checked by the apply's schema and rules).
 */
export function applyBodyOf(rollout: Rollout): Record<string, unknown> {
  return {
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
}
