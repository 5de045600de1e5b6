import { DomainError } from '../errors/domain.error';
import {
  applyRolloutStep,
  nextRolloutStep,
  planWaves,
  type ProxyProgress,
  reachedProxyIds,
  type RolloutProgress,
  stepOfCommand,
} from './rollout-progress';
import { DEFAULT_ROLLOUT_GATES } from './rollout.entity';

const NOW = new Date('2026-11-25T08:00:00Z');
const secondsAgo = (seconds: number) => new Date(NOW.getTime() - seconds * 1000);

const running = (fields: Partial<RolloutProgress> = {}): RolloutProgress => ({
  id: 'r-1',
  state: 'running',
  strategy: 'waves',
  gates: { ...DEFAULT_ROLLOUT_GATES, bakeSeconds: 10 },
  waveProxies: [['a'], ['b', 'c'], ['d']],
  currentWave: 0,
  waveSettledAt: null,
  reason: null,
  ...fields,
});
const acked: ProxyProgress = { delivery: 'acked', healthy: true };
const waiting: ProxyProgress = { delivery: 'waiting', healthy: true };
const nacked: ProxyProgress = { delivery: 'nacked', healthy: true };

describe(planWaves.name, () => {
  const ids = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7'];

  it('puts every proxy in one wave for all_at_once', () => {
    expect(planWaves('all_at_once', [], ids)).toEqual([ids]);
  });

  it('takes the canaries first, then cumulative percentages rounded up', () => {
    expect(planWaves('waves', [{ proxies: 1 }, { percent: 50 }, { percent: 100 }], ids)).toEqual([
      ['p1'],
      ['p2', 'p3', 'p4'],
      ['p5', 'p6', 'p7'],
    ]);
  });

  it('keeps a wave that adds nobody, empty, so indexes match the plan', () => {
    expect(planWaves('waves', [{ proxies: 2 }, { percent: 10 }, { percent: 100 }], ['p1', 'p2'])).toEqual([
      ['p1', 'p2'],
      [],
      [],
    ]);
  });
});

describe(nextRolloutStep.name, () => {
  it('waits while a proxy reached has not ACKed', () => {
    expect(nextRolloutStep(running(), [waiting], NOW)).toEqual({ kind: 'wait' });
  });

  it('starts the soak once every proxy reached ACKed, then advances after bakeSeconds', () => {
    expect(nextRolloutStep(running(), [acked], NOW)).toEqual({ kind: 'settle' });
    expect(nextRolloutStep(running({ waveSettledAt: secondsAgo(5) }), [acked], NOW)).toEqual({
      kind: 'wait',
    });
    expect(nextRolloutStep(running({ waveSettledAt: secondsAgo(10) }), [acked], NOW)).toEqual({
      kind: 'advance',
    });
  });

  it('restarts the soak when a proxy stops being ACKed during it', () => {
    expect(nextRolloutStep(running({ waveSettledAt: secondsAgo(5) }), [acked, waiting], NOW)).toEqual({
      kind: 'unsettle',
    });
  });

  it('completes after the last wave soaked', () => {
    const last = running({ currentWave: 2, waveSettledAt: secondsAgo(60) });
    expect(nextRolloutStep(last, [acked, acked, acked, acked], NOW)).toEqual({ kind: 'complete' });
  });

  it('rolls back when the NACK ratio exceeds the gate, or pauses without autoRollback', () => {
    const reached = [acked, nacked, acked];
    expect(nextRolloutStep(running({ currentWave: 1 }), reached, NOW)).toEqual({
      kind: 'roll_back',
      reason: '1 of 3 proxies NACKed the new version',
    });
    const gates = { ...DEFAULT_ROLLOUT_GATES, autoRollback: false };
    expect(nextRolloutStep(running({ currentWave: 1, gates }), reached, NOW)).toEqual({
      kind: 'pause',
      reason: '1 of 3 proxies NACKed the new version',
    });
    const tolerant = { ...DEFAULT_ROLLOUT_GATES, maxNackedRatio: 0.5 };
    expect(nextRolloutStep(running({ currentWave: 1, gates: tolerant }), reached, NOW).kind).toBe('wait');
  });

  it('fails the gate when fewer proxies that ACKed than minHealthyRatio stay healthy', () => {
    const dropped = { delivery: 'acked', healthy: false } as const;
    expect(nextRolloutStep(running({ currentWave: 1 }), [acked, dropped, acked], NOW)).toEqual({
      kind: 'roll_back',
      reason: 'only 2 of 3 proxies that ACKed the new version are healthy',
    });
  });

  it('waits for a proxy that has not connected yet instead of failing the health gate', () => {
    expect(nextRolloutStep(running(), [{ delivery: 'waiting', healthy: false }], NOW)).toEqual({
      kind: 'wait',
    });
  });

  it('decides nothing for a rollout that is not running', () => {
    expect(nextRolloutStep(running({ state: 'paused' }), [nacked], NOW)).toEqual({ kind: 'wait' });
  });
});

describe(applyRolloutStep.name, () => {
  it('starts a pending rollout on its first wave', () => {
    const pending = running({ state: 'pending', waveProxies: [] });
    const change = applyRolloutStep(pending, { kind: 'start', waveProxies: [['a'], ['b']] }, NOW);
    expect(change).toMatchObject({ state: 'running', currentWave: 0, started: true, finished: false });
    expect(reachedProxyIds(change)).toEqual(['a']);
  });

  it('advances to the next wave, clearing the soak, and reaches its proxies', () => {
    const change = applyRolloutStep(running({ waveSettledAt: secondsAgo(30) }), { kind: 'advance' }, NOW);
    expect(change).toMatchObject({ state: 'running', currentWave: 1, waveSettledAt: null });
    expect(reachedProxyIds(change)).toEqual(['a', 'b', 'c']);
  });

  it('records when the wave settled', () => {
    expect(applyRolloutStep(running(), { kind: 'settle' }, NOW).waveSettledAt).toEqual(NOW);
  });

  it('pauses with a reason and resumes clearing it', () => {
    const paused = applyRolloutStep(running(), { kind: 'pause', reason: 'paused by u' }, NOW);
    expect(paused).toMatchObject({ state: 'paused', reason: 'paused by u', finished: false });
    const resumed = applyRolloutStep({ ...running(), ...paused }, { kind: 'resume' }, NOW);
    expect(resumed).toMatchObject({ state: 'running', reason: null, waveSettledAt: null });
  });

  it('finishes on complete, abort and roll back', () => {
    expect(applyRolloutStep(running(), { kind: 'complete' }, NOW)).toMatchObject({
      state: 'completed',
      currentWave: 2,
      finished: true,
    });
    expect(applyRolloutStep(running(), { kind: 'abort', reason: 'x' }, NOW).state).toBe('aborted');
    expect(applyRolloutStep(running(), { kind: 'roll_back', reason: 'x' }, NOW).state).toBe('rolled_back');
  });

  it('refuses steps the state does not allow', () => {
    expect(() => applyRolloutStep(running(), { kind: 'resume' }, NOW)).toThrow(
      new DomainError('INVALID_STATE', 'rollout r-1 is running, which does not allow resuming'),
    );
    expect(() =>
      applyRolloutStep(running({ state: 'completed' }), { kind: 'pause', reason: 'x' }, NOW),
    ).toThrow(DomainError);
    expect(() =>
      applyRolloutStep(running({ state: 'rolled_back' }), { kind: 'abort', reason: 'x' }, NOW),
    ).toThrow(DomainError);
    expect(() => applyRolloutStep(running({ state: 'paused' }), { kind: 'pause', reason: 'x' }, NOW)).toThrow(
      new DomainError('INVALID_STATE', 'rollout r-1 is paused, which does not allow moving to paused'),
    );
    expect(() =>
      applyRolloutStep(running({ state: 'aborted' }), { kind: 'abort', reason: 'x' }, NOW),
    ).toThrow(DomainError);
  });
});

describe(stepOfCommand.name, () => {
  it('promotes to the next wave, or completes on the last, skipping the gate', () => {
    expect(stepOfCommand(running(), 'promote', 'u')).toEqual({ kind: 'advance' });
    expect(stepOfCommand(running({ state: 'paused', currentWave: 2 }), 'promote', 'u')).toEqual({
      kind: 'complete',
    });
  });

  it('refuses to promote a rollout that has not started or has finished', () => {
    expect(() => stepOfCommand(running({ state: 'pending' }), 'promote', 'u')).toThrow(DomainError);
    expect(() => stepOfCommand(running({ state: 'completed' }), 'promote', 'u')).toThrow(DomainError);
  });

  it('names the operator in the reason of a pause or abort', () => {
    expect(stepOfCommand(running(), 'abort', 'user:ann')).toEqual({
      kind: 'abort',
      reason: 'aborted by user:ann',
    });
  });
});
