import { DomainError, type ValidationIssue } from '../errors/domain.error';

export const ROLLOUT_STRATEGIES = ['all_at_once', 'waves'] as const;
export type RolloutStrategy = (typeof ROLLOUT_STRATEGIES)[number];

export const ROLLOUT_STATES = [
  'pending',
  'running',
  'paused',
  'completed',
  'aborted',
  'rolled_back',
] as const;
export type RolloutState = (typeof ROLLOUT_STATES)[number];

/**
 * A wave ends when `proxies` of the rollout's proxies (a canary count), or `percent` of them, run the
 * new version; both are cumulative, counts come before percentages.
 */
export type RolloutWave = { readonly proxies: number } | { readonly percent: number };

/** What must hold after each wave before the next starts; a failed gate pauses or rolls back. */
export interface RolloutGates {
  /** How long a finished wave is watched before its gate is judged. */
  readonly bakeSeconds: number;
  /** Highest share (0-1) of the wave's proxies that may NACK. */
  readonly maxNackedRatio: number;
  /** Lowest share (0-1) of the wave's proxies that must be healthy. */
  readonly minHealthyRatio: number;
  /** Roll back to the previous version instead of pausing when a gate fails. */
  readonly autoRollback: boolean;
}

export const DEFAULT_ROLLOUT_GATES: RolloutGates = {
  bakeSeconds: 30,
  maxNackedRatio: 0,
  minHealthyRatio: 1,
  autoRollback: true,
};

/** Staged delivery of one config version to the proxies bound to its config. */
export interface Rollout {
  readonly id: string;
  readonly tenantId: string;
  readonly configId: string;
  readonly configVersionId: string;
  readonly strategy: RolloutStrategy;
  readonly waves: readonly RolloutWave[];
  readonly gates: RolloutGates;
  readonly state: RolloutState;
  /** Index into `waves` of the wave in progress (0 before the first starts). */
  readonly currentWave: number;
  /** Why the rollout was paused, aborted or rolled back. */
  readonly reason: string | null;
  readonly createdBy: string;
  readonly startedAt: Date | null;
  readonly finishedAt: Date | null;
  readonly version: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

const TRANSITIONS: { readonly [S in RolloutState]: readonly RolloutState[] } = {
  pending: ['running', 'aborted'],
  running: ['paused', 'completed', 'aborted', 'rolled_back'],
  paused: ['running', 'aborted', 'rolled_back'],
  completed: ['rolled_back'],
  aborted: [],
  rolled_back: [],
};

/** States in which a rollout still holds its config: at most one such rollout per config. */
export const ACTIVE_ROLLOUT_STATES: readonly RolloutState[] = ['pending', 'running', 'paused'];

export function canTransitionRollout(from: RolloutState, to: RolloutState): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Fails with INVALID_STATE when the rollout cannot move from its state to `to`. */
export function assertRolloutTransition(rollout: Pick<Rollout, 'id' | 'state'>, to: RolloutState): void {
  if (!canTransitionRollout(rollout.state, to)) {
    throw DomainError.invalidState('rollout', rollout.id, rollout.state, `moving to ${to}`);
  }
}

/**
 * `all_at_once` has no waves; `waves` needs canary counts, then percentages, each rising strictly,
 * the last wave at 100 percent.
 */
export function validateRolloutPlan(plan: Pick<Rollout, 'strategy' | 'waves' | 'gates'>): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  switch (plan.strategy) {
    case 'all_at_once':
      if (plan.waves.length > 0)
        issues.push({ path: 'waves', message: 'must be empty for strategy all_at_once' });
      break;
    case 'waves': {
      if (plan.waves.length === 0)
        issues.push({ path: 'waves', message: 'needs at least one wave for strategy waves' });
      let previous = 0;
      let previousCount = 0;
      plan.waves.forEach((wave, index) => {
        if ('proxies' in wave) {
          if (previous > 0) {
            issues.push({ path: `waves[${index}]`, message: 'canary counts must come before percentages' });
          } else if (!Number.isInteger(wave.proxies) || wave.proxies <= previousCount) {
            issues.push({
              path: `waves[${index}].proxies`,
              message: `must be an integer above ${previousCount} (counts are cumulative)`,
            });
          }
          previousCount = Math.max(previousCount, wave.proxies);
          return;
        }
        if (!Number.isInteger(wave.percent) || wave.percent <= previous || wave.percent > 100) {
          issues.push({
            path: `waves[${index}].percent`,
            message: `must be an integer above ${previous} and at most 100 (percentages are cumulative)`,
          });
        }
        previous = Math.max(previous, wave.percent);
      });
      const last = plan.waves.at(-1);
      if (last && !('percent' in last && last.percent === 100)) {
        issues.push({
          path: `waves[${plan.waves.length - 1}].percent`,
          message: 'the last wave must reach 100',
        });
      }
      break;
    }
  }
  const { gates } = plan;
  if (!Number.isInteger(gates.bakeSeconds) || gates.bakeSeconds < 0) {
    issues.push({ path: 'gates.bakeSeconds', message: 'must be a non-negative integer' });
  }
  for (const ratio of ['maxNackedRatio', 'minHealthyRatio'] as const) {
    if (!(gates[ratio] >= 0 && gates[ratio] <= 1))
      issues.push({ path: `gates.${ratio}`, message: 'must be between 0 and 1' });
  }
  return issues;
}
