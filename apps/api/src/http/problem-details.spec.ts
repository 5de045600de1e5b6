import { DOMAIN_ERROR_CODES, DomainError } from '@envoy-fleet/domain';
import { problemFromDomainError, problemKindOf, problemTypeOf } from './problem-details';

describe(problemFromDomainError.name, () => {
  it('maps every domain error code to a distinct type and a client error status, but UNAVAILABLE to 503', () => {
    const types = DOMAIN_ERROR_CODES.map(problemTypeOf);

    expect(new Set(types).size).toBe(DOMAIN_ERROR_CODES.length);
    for (const code of DOMAIN_ERROR_CODES.filter((each) => each !== 'UNAVAILABLE')) {
      expect(problemKindOf(code).status).toBeGreaterThanOrEqual(400);
      expect(problemKindOf(code).status).toBeLessThan(500);
    }
    expect(problemKindOf('UNAVAILABLE').status).toBe(503);
  });

  it('carries the per-field issues and the details of the error', () => {
    const error = new DomainError('VALIDATION_FAILED', 'config is invalid', {
      issues: [{ path: 'spec.clusters[0].connect_timeout', message: 'invalid duration' }],
      details: { entity: 'config' },
    });

    const sut = problemFromDomainError(error, '/api/v1/configs');

    expect(sut).toEqual({
      type: 'https://envoy-fleet.dev/problems/validation-failed',
      title: 'The content is invalid',
      status: 422,
      detail: 'config is invalid',
      instance: '/api/v1/configs',
      code: 'VALIDATION_FAILED',
      errors: [{ path: 'spec.clusters[0].connect_timeout', message: 'invalid duration' }],
      details: { entity: 'config' },
    });
  });

  it('leaves out empty issue lists and details', () => {
    const sut = problemFromDomainError(DomainError.notFound('node', 'n-1'), '/api/v1/nodes/n-1');

    expect(sut).toEqual({
      type: 'https://envoy-fleet.dev/problems/not-found',
      title: 'The resource does not exist',
      status: 404,
      detail: 'node n-1 does not exist',
      instance: '/api/v1/nodes/n-1',
      code: 'NOT_FOUND',
      details: { entity: 'node', id: 'n-1' },
    });
  });
});
