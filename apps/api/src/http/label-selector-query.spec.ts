import { DomainError } from '@envoy-fleet/domain';
import { matchesLabelSelector } from '@envoy-fleet/domain';
import { parseLabelSelectorQuery } from './label-selector-query';

/** The code of the DomainError `run` throws. */
function thrownCode(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return error instanceof DomainError ? error.code : 'not a DomainError';
  }
  return undefined;
}

describe(parseLabelSelectorQuery.name, () => {
  it('reads equality, inequality, set and existence requirements', () => {
    const sut = parseLabelSelectorQuery('env=prod,tier!=db,zone in (a, b),region notin (eu),canary,!legacy');

    expect(sut).toEqual({
      matchLabels: { env: 'prod' },
      matchExpressions: [
        { key: 'tier', operator: 'NotIn', values: ['db'] },
        { key: 'zone', operator: 'In', values: ['a', 'b'] },
        { key: 'region', operator: 'NotIn', values: ['eu'] },
        { key: 'canary', operator: 'Exists' },
        { key: 'legacy', operator: 'DoesNotExist' },
      ],
    });
  });

  it('selects as Kubernetes does', () => {
    const sut = parseLabelSelectorQuery('env==prod,tier!=db');

    expect(matchesLabelSelector({ env: 'prod', tier: 'web' }, sut)).toBe(true);
    expect(matchesLabelSelector({ env: 'prod' }, sut)).toBe(true);
    expect(matchesLabelSelector({ env: 'prod', tier: 'db' }, sut)).toBe(false);
  });

  it('names the requirement it cannot read', () => {
    expect(() => parseLabelSelectorQuery('env=prod,a b')).toThrow(/"a b" is not a label requirement/);
    expect(thrownCode(() => parseLabelSelectorQuery('-bad=x'))).toBe('INVALID_REQUEST');
  });
});
