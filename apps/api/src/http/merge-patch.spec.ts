import { DomainError } from '@envoy-fleet/domain';
import { mergePatchObject } from './merge-patch';

/** The code of the DomainError `run` throws. */
function thrownCode(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return error instanceof DomainError ? error.code : 'not a DomainError';
  }
  return undefined;
}

describe(mergePatchObject.name, () => {
  it('refuses a patch that is not an object', () => {
    expect(thrownCode(() => mergePatchObject({ a: 1 }, [1]))).toBe('INVALID_REQUEST');
  });
});
