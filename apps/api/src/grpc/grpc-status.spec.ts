import { status as GrpcStatus } from '@grpc/grpc-js';
import { DOMAIN_ERROR_CODES, DomainError } from '@envoy-fleet/domain';
import {
  BadRequest,
  ErrorInfo,
  PreconditionFailure,
  QuotaFailure,
  ResourceInfo,
  RetryInfo,
  Status,
} from '@envoy-fleet/proto/management';
import { grpcCodeOf, grpcErrorOf, STATUS_DETAILS_TRAILER } from './grpc-status';

function statusOf(error: DomainError): Status {
  const [bytes] = grpcErrorOf(error).metadata?.get(STATUS_DETAILS_TRAILER) ?? [];
  if (!(bytes instanceof Buffer)) throw new Error('no status details trailer');
  return Status.decode(bytes);
}

function detail<T>(status: Status, type: string, decode: (bytes: Uint8Array) => T): T | undefined {
  const found = status.details.find((any) => any.typeUrl === `type.googleapis.com/google.rpc.${type}`);
  return found === undefined ? undefined : decode(found.value);
}

describe(grpcErrorOf.name, () => {
  it('maps every domain code to a gRPC status other than OK, UNKNOWN or INTERNAL', () => {
    for (const code of DOMAIN_ERROR_CODES) {
      expect([GrpcStatus.OK, GrpcStatus.UNKNOWN, GrpcStatus.INTERNAL]).not.toContain(grpcCodeOf(code));
    }
    expect(grpcCodeOf('PRECONDITION_FAILED')).toBe(GrpcStatus.ABORTED);
    expect(grpcCodeOf('CONFLICT')).toBe(GrpcStatus.FAILED_PRECONDITION);
    expect(grpcCodeOf('VALIDATION_FAILED')).toBe(GrpcStatus.INVALID_ARGUMENT);
  });

  it('carries the code, the message and an ErrorInfo with the details as metadata', () => {
    const error = new DomainError('PERMISSION_DENIED', 'needs operator', {
      details: { required: 'operator', held: 'viewer' },
    });

    const sut = grpcErrorOf(error);
    const status = statusOf(error);

    expect(sut).toMatchObject({ code: GrpcStatus.PERMISSION_DENIED, details: 'needs operator' });
    expect(status).toMatchObject({ code: GrpcStatus.PERMISSION_DENIED, message: 'needs operator' });
    expect(detail(status, 'ErrorInfo', (bytes) => ErrorInfo.decode(bytes))).toEqual({
      reason: 'PERMISSION_DENIED',
      domain: 'envoy-fleet.dev',
      metadata: { required: 'operator', held: 'viewer' },
    });
  });

  it('lists validation issues as BadRequest field violations', () => {
    const error = new DomainError('VALIDATION_FAILED', 'invalid', {
      issues: [{ path: 'config.spec.clusters[0].name', message: 'duplicate' }],
    });

    expect(detail(statusOf(error), 'BadRequest', (bytes) => BadRequest.decode(bytes))).toEqual({
      fieldViolations: [{ field: 'config.spec.clusters[0].name', description: 'duplicate' }],
    });
  });

  it('names the resource, the precondition, the quota and the retry delay where the code calls for them', () => {
    expect(
      detail(statusOf(DomainError.notFound('config', 'c-1')), 'ResourceInfo', (b) => ResourceInfo.decode(b)),
    ).toMatchObject({ resourceType: 'config', resourceName: 'c-1' });
    expect(
      detail(statusOf(DomainError.staleVersion('config', 'c-1', 3)), 'PreconditionFailure', (b) =>
        PreconditionFailure.decode(b),
      )?.violations[0],
    ).toMatchObject({ type: 'PRECONDITION_FAILED', subject: 'config c-1' });
    expect(
      detail(statusOf(DomainError.quotaExceeded('maxConfigs', 10)), 'QuotaFailure', (b) =>
        QuotaFailure.decode(b),
      )?.violations[0],
    ).toMatchObject({ subject: 'maxConfigs' });
    const limited = new DomainError('RATE_LIMITED', 'slow down', { details: { retryAfterSeconds: 7 } });
    expect(detail(statusOf(limited), 'RetryInfo', (b) => RetryInfo.decode(b))?.retryDelay).toEqual({
      seconds: '7',
      nanos: 0,
    });
  });
});
