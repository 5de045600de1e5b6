import { DomainError } from '../errors/domain.error';
import {
  assertRolloutTransition,
  type RolloutGates,
  type RolloutState,
  type RolloutStrategy,
  type RolloutWave,
} from './rollout.entity';

/** The part of a rollout its progress depends on. */
export interface RolloutProgress {
  readonly id: string;
  readonly state: RolloutState;
  readonly strategy: RolloutStrategy;
  readonly gates: RolloutGates;
  /** Proxy ids of each wave, fixed when the rollout starts; empty while pending. */
  readonly waveProxies: readonly (readonly string[])[];
  /** Index into `waveProxies` of the wave in progress: waves up to it have been given the new version. */
  readonly currentWave: number;
  /** Since when every proxy reached has ACKed the new version; null while some have not. */
  readonly waveSettledAt: Date | null;
  readonly reason: string | null;
}

/** How one proxy the rollout reached is doing with the new version. */
export interface ProxyProgress {
  /**
   * `acked`: every resource type the proxy subscribes ACKed the snapshot of the new version; `nacked`:
   * some type NACKed it and the NACK outlasted the transient window; `waiting`: neither yet.
   */
  readonly delivery: 'acked' | 'nacked' | 'waiting';
  /** Connected over xDS and not reported unhealthy by its node agent. */
  readonly healthy: boolean;
}

/** What a rollout does next: the engine's observation turned into a decision, or an operator's command. */
export type RolloutStep =
  | { readonly kind: 'start'; readonly waveProxies: readonly (readonly string[])[] }
  | { readonly kind: 'wait' }
  | { readonly kind: 'settle' }
  | { readonly kind: 'unsettle' }
  | { readonly kind: 'advance' }
  | { readonly kind: 'complete' }
  | { readonly kind: 'pause'; readonly reason: string }
  | { readonly kind: 'resume' }
  | { readonly kind: 'abort'; readonly reason: string }
  | { readonly kind: 'roll_back'; readonly reason: string };

/** What an operator can ask of a rollout through the api. */
export const ROLLOUT_COMMANDS = ['pause', 'resume', 'abort', 'promote'] as const;
export type RolloutCommand = (typeof ROLLOUT_COMMANDS)[number];

/** The rollout after a step; `finished` when it reached a final state. */
export interface RolloutChange {
  readonly state: RolloutState;
  readonly waveProxies: readonly (readonly string[])[];
  readonly currentWave: number;
  readonly waveSettledAt: Date | null;
  readonly reason: string | null;
  readonly started: boolean;
  readonly finished: boolean;
}

/**
 * Splits the proxies (in the order given: the first are the canaries) into the rollout's waves:
 * one wave for `all_at_once`; otherwise each wave reaches its cumulative count or percentage (rounded
 * up, so a small fleet still gets a canary). A wave that adds nobody stays, empty, so wave indexes match
 * the plan.
 */
export function planWaves(
  strategy: RolloutStrategy,
  waves: readonly RolloutWave[],
  proxyIds: readonly string[],
): string[][] {
  if (strategy === 'all_at_once') return [[...proxyIds]];
  const planned: string[][] = [];
  let reached = 0;
  for (const wave of waves) {
    const size =
      'proxies' in wave
        ? Math.min(wave.proxies, proxyIds.length)
        : Math.ceil((proxyIds.length * wave.percent) / 100);
    const until = Math.max(reached, size);
    planned.push(proxyIds.slice(reached, until));
    reached = until;
  }
  return planned;
}

/**
 * The engine's decision for a running rollout, from the proxies it reached so far (waves up to the
 * current one). The gates, in order: the share of those proxies that NACKed must not exceed
 * `maxNackedRatio`, and the share of those that ACKed it that is still healthy must not fall below
 * `minHealthyRatio` (a proxy not connected yet is waited for, not counted as a health drop); a failed
 * gate rolls back (`autoRollback`) or pauses. Once every proxy reached has ACKed, the wave soaks for
 * `bakeSeconds`; a proxy that stops being ACKed meanwhile restarts the soak. After the soak the next
 * wave starts, or the rollout completes after the last.
 */
export function nextRolloutStep(
  rollout: RolloutProgress,
  reached: readonly ProxyProgress[],
  now: Date,
): RolloutStep {
  if (rollout.state !== 'running') return { kind: 'wait' };
  const total = reached.length;
  if (total > 0) {
    const nacked = reached.filter((proxy) => proxy.delivery === 'nacked').length;
    if (nacked / total > rollout.gates.maxNackedRatio) {
      return failedGate(rollout, `${nacked} of ${total} proxies NACKed the new version`);
    }
    const delivered = reached.filter((proxy) => proxy.delivery === 'acked');
    const healthy = delivered.filter((proxy) => proxy.healthy).length;
    if (delivered.length > 0 && healthy / delivered.length < rollout.gates.minHealthyRatio) {
      return failedGate(
        rollout,
        `only ${healthy} of ${delivered.length} proxies that ACKed the new version are healthy`,
      );
    }
  }
  if (!reached.every((proxy) => proxy.delivery === 'acked')) {
    return rollout.waveSettledAt === null ? { kind: 'wait' } : { kind: 'unsettle' };
  }
  if (rollout.waveSettledAt === null) return { kind: 'settle' };
  if (now.getTime() - rollout.waveSettledAt.getTime() < rollout.gates.bakeSeconds * 1000) {
    return { kind: 'wait' };
  }
  return isLastWave(rollout) ? { kind: 'complete' } : { kind: 'advance' };
}

/** The step an operator's command is: promoting skips the current wave's gate. */
export function stepOfCommand(rollout: RolloutProgress, command: RolloutCommand, actor: string): RolloutStep {
  switch (command) {
    case 'pause':
      return { kind: 'pause', reason: `paused by ${actor}` };
    case 'resume':
      return { kind: 'resume' };
    case 'abort':
      return { kind: 'abort', reason: `aborted by ${actor}` };
    case 'promote':
      if (rollout.state !== 'running' && rollout.state !== 'paused') {
        throw DomainError.invalidState('rollout', rollout.id, rollout.state, 'promoting');
      }
      return isLastWave(rollout) ? { kind: 'complete' } : { kind: 'advance' };
  }
}

/** Steps that may leave the state as it is; any other must change it (pausing a paused rollout fails). */
const STAYING_STEPS: ReadonlySet<RolloutStep['kind']> = new Set(['wait', 'settle', 'unsettle', 'advance']);

/**
 * The rollout after `step`. A state change must be allowed (`assertRolloutTransition`, INVALID_STATE
 * otherwise); `settle`, `unsettle`, `wait` and `advance` may keep the state, other steps must change it.
 * The reason is kept from pause on and cleared by resume and advance.
 */
export function applyRolloutStep(rollout: RolloutProgress, step: RolloutStep, now: Date): RolloutChange {
  const change = (to: RolloutState, fields: Partial<RolloutChange> = {}): RolloutChange => {
    if (to !== rollout.state) assertRolloutTransition(rollout, to);
    else if (!STAYING_STEPS.has(step.kind)) {
      throw DomainError.invalidState('rollout', rollout.id, rollout.state, `moving to ${to}`);
    }
    return {
      state: to,
      waveProxies: rollout.waveProxies,
      currentWave: rollout.currentWave,
      waveSettledAt: rollout.waveSettledAt,
      reason: rollout.reason,
      started: false,
      finished: to === 'completed' || to === 'aborted' || to === 'rolled_back',
      ...fields,
    };
  };
  switch (step.kind) {
    case 'start':
      return change('running', {
        waveProxies: step.waveProxies,
        currentWave: 0,
        waveSettledAt: null,
        started: true,
      });
    case 'wait':
      return change(rollout.state);
    case 'settle':
      return change(rollout.state, { waveSettledAt: now });
    case 'unsettle':
      return change(rollout.state, { waveSettledAt: null });
    case 'advance':
      return change('running', { currentWave: rollout.currentWave + 1, waveSettledAt: null, reason: null });
    case 'complete':
      return change('completed', { currentWave: Math.max(0, rollout.waveProxies.length - 1) });
    case 'pause':
      return change('paused', { reason: step.reason });
    case 'resume':
      if (rollout.state !== 'paused') {
        throw DomainError.invalidState('rollout', rollout.id, rollout.state, 'resuming');
      }
      return change('running', { waveSettledAt: null, reason: null });
    case 'abort':
      return change('aborted', { reason: step.reason });
    case 'roll_back':
      return change('rolled_back', { reason: step.reason });
  }
}

/** The proxy ids the rollout has given the new version: those of the waves up to the current one. */
export function reachedProxyIds(rollout: Pick<RolloutProgress, 'waveProxies' | 'currentWave'>): string[] {
  return rollout.waveProxies.slice(0, rollout.currentWave + 1).flat();
}

function isLastWave(rollout: RolloutProgress): boolean {
  return rollout.currentWave >= rollout.waveProxies.length - 1;
}

function failedGate(rollout: RolloutProgress, reason: string): RolloutStep {
  return rollout.gates.autoRollback ? { kind: 'roll_back', reason } : { kind: 'pause', reason };
}
