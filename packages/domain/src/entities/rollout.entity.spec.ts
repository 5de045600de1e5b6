import { DomainError } from '../errors/domain.error';
import {
  DEFAULT_ROLLOUT_GATES,
  assertRolloutTransition,
  canTransitionRollout,
  validateRolloutPlan,
} from './rollout.entity';

describe(canTransitionRollout.name, () => {
  it('allows the lifecycle pending → running → paused → running → completed → rolled_back', () => {
    expect(canTransitionRollout('pending', 'running')).toBe(true);
    expect(canTransitionRollout('running', 'paused')).toBe(true);
    expect(canTransitionRollout('paused', 'running')).toBe(true);
    expect(canTransitionRollout('running', 'completed')).toBe(true);
    expect(canTransitionRollout('completed', 'rolled_back')).toBe(true);
  });

  it('keeps aborted and rolled back rollouts final', () => {
    expect(canTransitionRollout('aborted', 'running')).toBe(false);
    expect(canTransitionRollout('rolled_back', 'running')).toBe(false);
    expect(canTransitionRollout('completed', 'running')).toBe(false);
  });

  it('assertRolloutTransition fails with INVALID_STATE', () => {
    expect(() => assertRolloutTransition({ id: 'r-1', state: 'aborted' }, 'running')).toThrow(
      new DomainError('INVALID_STATE', 'rollout r-1 is aborted, which does not allow moving to running'),
    );
  });
});

describe(validateRolloutPlan.name, () => {
  const gates = DEFAULT_ROLLOUT_GATES;

  it('accepts cumulative waves ending at 100 and all_at_once without waves', () => {
    expect(
      validateRolloutPlan({
        strategy: 'waves',
        waves: [{ percent: 10 }, { percent: 50 }, { percent: 100 }],
        gates,
      }),
    ).toEqual([]);
    expect(validateRolloutPlan({ strategy: 'all_at_once', waves: [], gates })).toEqual([]);
  });

  it('rejects falling percentages, a last wave short of 100 and waves on all_at_once', () => {
    expect(
      validateRolloutPlan({ strategy: 'waves', waves: [{ percent: 50 }, { percent: 20 }], gates }),
    ).toEqual([
      {
        path: 'waves[1].percent',
        message: 'must be an integer above 50 and at most 100 (percentages are cumulative)',
      },
      { path: 'waves[1].percent', message: 'the last wave must reach 100' },
    ]);
    expect(validateRolloutPlan({ strategy: 'all_at_once', waves: [{ percent: 100 }], gates })).toEqual([
      { path: 'waves', message: 'must be empty for strategy all_at_once' },
    ]);
    expect(validateRolloutPlan({ strategy: 'waves', waves: [], gates })).toEqual([
      { path: 'waves', message: 'needs at least one wave for strategy waves' },
    ]);
  });

  it('accepts canary counts before percentages and rejects them after', () => {
    expect(
      validateRolloutPlan({
        strategy: 'waves',
        waves: [{ proxies: 1 }, { proxies: 2 }, { percent: 50 }, { percent: 100 }],
        gates,
      }),
    ).toEqual([]);
    expect(
      validateRolloutPlan({
        strategy: 'waves',
        waves: [{ proxies: 0 }, { percent: 50 }, { proxies: 3 }, { percent: 100 }],
        gates,
      }),
    ).toEqual([
      { path: 'waves[0].proxies', message: 'must be an integer above 0 (counts are cumulative)' },
      { path: 'waves[2]', message: 'canary counts must come before percentages' },
    ]);
  });

  it('rejects gate ratios outside 0-1 and negative bake times', () => {
    const bad = { ...gates, bakeSeconds: -1, maxNackedRatio: 1.5, minHealthyRatio: Number.NaN };
    expect(
      validateRolloutPlan({ strategy: 'all_at_once', waves: [], gates: bad }).map((issue) => issue.path),
    ).toEqual(['gates.bakeSeconds', 'gates.maxNackedRatio', 'gates.minHealthyRatio']);
  });
});
