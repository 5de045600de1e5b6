import { type DriftedType, driftedTypes, nextDrift, type RecordedDrift } from './drift';

const NONE: RecordedDrift = { types: null, observedAt: null, driftedAt: null };
const STALE_ROUTE: DriftedType = { resourceType: 'route_config', ackedVersion: 'r1', expectedVersion: 'r2' };
const T0 = new Date('2026-01-01T00:00:00Z');
const later = (ms: number) => new Date(T0.getTime() + ms);

describe(driftedTypes.name, () => {
  it('lists the types whose ACKed version is not the expected one', () => {
    expect(
      driftedTypes({ listener: 'l1', route_config: 'r1' }, { listener: 'l1', route_config: 'r2' }),
    ).toEqual([STALE_ROUTE]);
  });

  it('ignores types never ACKed and types the snapshot does not hold', () => {
    expect(driftedTypes({ cluster: 'c1' }, { listener: 'l2', secret: 's1' })).toEqual([]);
  });
});

describe(nextDrift.name, () => {
  it('first records when the difference was observed, without announcing it', () => {
    expect(nextDrift(NONE, [STALE_ROUTE], T0, 1_000)).toEqual({
      kind: 'record',
      next: { types: [STALE_ROUTE], observedAt: T0, driftedAt: null },
      announce: false,
    });
  });

  it('leaves a difference younger than the threshold alone', () => {
    const observed = { types: [STALE_ROUTE], observedAt: T0, driftedAt: null };

    expect(nextDrift(observed, [STALE_ROUTE], later(1_000), 1_000)).toEqual({ kind: 'unchanged' });
  });

  it('reports drift once the difference outlasted the threshold, once', () => {
    const observed = { types: [STALE_ROUTE], observedAt: T0, driftedAt: null };
    const step = nextDrift(observed, [STALE_ROUTE], later(1_001), 1_000);

    expect(step).toEqual({
      kind: 'record',
      next: { types: [STALE_ROUTE], observedAt: T0, driftedAt: later(1_001) },
      announce: true,
    });
    expect(step.kind === 'record' && nextDrift(step.next, [STALE_ROUTE], later(5_000), 1_000)).toEqual({
      kind: 'unchanged',
    });
  });

  it('keeps counting from the first difference when the differing types change', () => {
    const cluster: DriftedType = { resourceType: 'cluster', ackedVersion: 'c1', expectedVersion: 'c2' };
    const observed = { types: [STALE_ROUTE], observedAt: T0, driftedAt: null };

    expect(nextDrift(observed, [cluster], later(10), 1_000)).toEqual({
      kind: 'record',
      next: { types: [cluster], observedAt: T0, driftedAt: null },
      announce: false,
    });
  });

  it('clears a converged proxy, announcing it only when it had been reported drifted', () => {
    const observed = { types: [STALE_ROUTE], observedAt: T0, driftedAt: null };
    const drifted = { ...observed, driftedAt: later(2_000) };

    expect(nextDrift(observed, [], later(10), 1_000)).toEqual({
      kind: 'record',
      next: NONE,
      announce: false,
    });
    expect(nextDrift(drifted, [], later(3_000), 1_000)).toEqual({
      kind: 'record',
      next: NONE,
      announce: true,
    });
    expect(nextDrift(NONE, [], later(3_000), 1_000)).toEqual({ kind: 'unchanged' });
  });
});
