import { DomainError } from '@envoy-fleet/domain';
import { expectedVersionOf, etagOf } from './etag';

/** The code of the DomainError `run` throws. */
function thrownCode(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return error instanceof DomainError ? error.code : 'not a DomainError';
  }
  return undefined;
}

describe(expectedVersionOf.name, () => {
  it('reads the version from weak and strong tags', () => {
    expect(expectedVersionOf(etagOf(7))).toBe(7);
    expect(expectedVersionOf('"12"')).toBe(12);
  });

  it('requires the header (428)', () => {
    expect(thrownCode(() => expectedVersionOf(undefined))).toBe('PRECONDITION_REQUIRED');
    expect(thrownCode(() => expectedVersionOf(' '))).toBe('PRECONDITION_REQUIRED');
  });

  it('fails the precondition for a tag that is no version (412)', () => {
    for (const tag of ['*', 'W/"abc"', '"1", "2"']) {
      expect(thrownCode(() => expectedVersionOf(tag))).toBe('PRECONDITION_FAILED');
    }
  });
});
