import {
  isEmptyLabelSelector,
  matchesLabelSelector,
  validateLabelSelector,
  validateLabels,
} from './labels.value';

describe(matchesLabelSelector.name, () => {
  const labels = { app: 'edge', tier: 'frontend', canary: '' };

  it('matches when every matchLabels pair is present with the same value', () => {
    expect(matchesLabelSelector(labels, { matchLabels: { app: 'edge', tier: 'frontend' } })).toBe(true);
    expect(matchesLabelSelector(labels, { matchLabels: { app: 'edge', tier: 'backend' } })).toBe(false);
    expect(matchesLabelSelector(labels, { matchLabels: { zone: 'a' } })).toBe(false);
  });

  it('applies In, NotIn, Exists and DoesNotExist like Kubernetes', () => {
    expect(
      matchesLabelSelector(labels, {
        matchExpressions: [{ key: 'tier', operator: 'In', values: ['frontend', 'api'] }],
      }),
    ).toBe(true);
    expect(
      matchesLabelSelector(labels, { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }),
    ).toBe(false);
    expect(
      matchesLabelSelector(labels, {
        matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['frontend'] }],
      }),
    ).toBe(false);
    expect(
      matchesLabelSelector(labels, { matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }),
    ).toBe(true);
    expect(matchesLabelSelector(labels, { matchExpressions: [{ key: 'canary', operator: 'Exists' }] })).toBe(
      true,
    );
    expect(
      matchesLabelSelector(labels, { matchExpressions: [{ key: 'canary', operator: 'DoesNotExist' }] }),
    ).toBe(false);
  });

  it('requires every clause to hold', () => {
    const selector = {
      matchLabels: { app: 'edge' },
      matchExpressions: [{ key: 'tier', operator: 'In' as const, values: ['backend'] }],
    };
    expect(matchesLabelSelector(labels, selector)).toBe(false);
  });

  it('does not treat inherited object properties as labels', () => {
    expect(matchesLabelSelector({}, { matchExpressions: [{ key: 'constructor', operator: 'Exists' }] })).toBe(
      false,
    );
  });

  it('matches everything with an empty selector, which isEmptyLabelSelector reports', () => {
    expect(matchesLabelSelector(labels, {})).toBe(true);
    expect(isEmptyLabelSelector({})).toBe(true);
    expect(isEmptyLabelSelector({ matchLabels: { app: 'edge' } })).toBe(false);
  });
});

describe(validateLabels.name, () => {
  it('accepts prefixed keys and empty values', () => {
    expect(validateLabels({ 'envoy-fleet.io/role': 'edge', team: '' })).toEqual([]);
  });

  it('names each bad key and value by path', () => {
    expect(validateLabels({ '-bad': 'ok', good: 'has space', 'Bad_Prefix/x': 'v' })).toEqual([
      { path: 'labels.-bad', message: expect.stringContaining('invalid label key') },
      { path: 'labels.good', message: expect.stringContaining('invalid label value') },
      { path: 'labels.Bad_Prefix/x', message: expect.stringContaining('prefix "Bad_Prefix"') },
    ]);
  });

  it('rejects names and values longer than 63 characters', () => {
    const long = 'a'.repeat(64);
    expect(validateLabels({ [long]: 'v', k: long })).toHaveLength(2);
  });
});

describe(validateLabelSelector.name, () => {
  it('requires values for In/NotIn and forbids them for Exists/DoesNotExist', () => {
    expect(
      validateLabelSelector({
        matchExpressions: [
          { key: 'a', operator: 'In', values: [] },
          { key: 'b', operator: 'Exists', values: ['x'] },
        ],
      }),
    ).toEqual([
      { path: 'selector.matchExpressions[0].values', message: 'operator In needs at least one value' },
      { path: 'selector.matchExpressions[1].values', message: 'operator Exists takes no values' },
    ]);
  });

  it('rejects an unknown operator that arrived from outside the type system', () => {
    const selector = JSON.parse('{"matchExpressions":[{"key":"a","operator":"Like"}]}') as Parameters<
      typeof validateLabelSelector
    >[0];
    expect(validateLabelSelector(selector)).toEqual([
      {
        path: 'selector.matchExpressions[0].operator',
        message: 'operator must be one of In, NotIn, Exists, DoesNotExist',
      },
    ]);
  });
});
