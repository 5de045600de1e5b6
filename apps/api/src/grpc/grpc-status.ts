import { Metadata, type ServiceError, status as GrpcStatus } from '@grpc/grpc-js';
import type { DomainError, DomainErrorCode } from '@envoy-fleet/domain';
import {
  type Any,
  BadRequest,
  ErrorInfo,
  PreconditionFailure,
  QuotaFailure,
  ResourceInfo,
  RetryInfo,
  Status,
} from '@envoy-fleet/proto/management';

/** `ErrorInfo.domain`: the product that raised the error. */
export const ERROR_DOMAIN = 'envoy-fleet.dev';
/** The trailer holding the binary google.rpc.Status with the error's details (the gRPC rich error model). */
export const STATUS_DETAILS_TRAILER = 'grpc-status-details-bin';

type GrpcCode = (typeof GrpcStatus)[keyof typeof GrpcStatus];

/**
 * The gRPC meaning of each domain error: adding a code fails compilation until it is mapped here. A
 * stale ETag is ABORTED, as the management API's proto documents (read again, then retry).
 */
export function grpcCodeOf(code: DomainErrorCode): GrpcCode {
  switch (code) {
    case 'INVALID_REQUEST':
    case 'VALIDATION_FAILED':
    case 'IDEMPOTENCY_KEY_REUSED':
      return GrpcStatus.INVALID_ARGUMENT;
    case 'UNAUTHENTICATED':
      return GrpcStatus.UNAUTHENTICATED;
    case 'PERMISSION_DENIED':
      return GrpcStatus.PERMISSION_DENIED;
    case 'NOT_FOUND':
      return GrpcStatus.NOT_FOUND;
    case 'ALREADY_EXISTS':
      return GrpcStatus.ALREADY_EXISTS;
    case 'PRECONDITION_FAILED':
      return GrpcStatus.ABORTED;
    case 'CONFLICT':
    case 'INVALID_STATE':
    case 'PRECONDITION_REQUIRED':
      return GrpcStatus.FAILED_PRECONDITION;
    case 'QUOTA_EXCEEDED':
    case 'RATE_LIMITED':
    case 'PAYLOAD_TOO_LARGE':
      return GrpcStatus.RESOURCE_EXHAUSTED;
    case 'UNAVAILABLE':
      return GrpcStatus.UNAVAILABLE;
  }
}

/**
 * A domain error as a gRPC error: the status code, the message, and a google.rpc.Status in the
 * `grpc-status-details-bin` trailer whose details are an ErrorInfo (reason: the domain code; metadata:
 * the error's details) and what the code calls for: BadRequest field violations, ResourceInfo,
 * PreconditionFailure, QuotaFailure, RetryInfo.
 */
export function grpcErrorOf(error: DomainError): Partial<ServiceError> {
  const code = grpcCodeOf(error.code);
  const status: Status = { code, message: error.message, details: detailsOf(error) };
  const metadata = new Metadata();
  metadata.set(STATUS_DETAILS_TRAILER, Buffer.from(Status.encode(status).finish()));
  return { code, details: error.message, metadata };
}

/** An error no domain rule explains: INTERNAL, quoting the id under which it is logged. */
export function internalGrpcError(errorId: string): Partial<ServiceError> {
  return {
    code: GrpcStatus.INTERNAL,
    details: `internal error ${errorId}; the operators find its cause in the api's logs under this id`,
  };
}

function detailsOf(error: DomainError): Any[] {
  const details: Any[] = [
    pack(
      'google.rpc.ErrorInfo',
      ErrorInfo.encode({
        reason: error.code,
        domain: ERROR_DOMAIN,
        metadata: Object.fromEntries(
          Object.entries(error.details).map(([key, value]) => [key, String(value)]),
        ),
      }).finish(),
    ),
  ];
  if (error.issues.length > 0) {
    details.push(
      pack(
        'google.rpc.BadRequest',
        BadRequest.encode({
          fieldViolations: error.issues.map((issue) => ({ field: issue.path, description: issue.message })),
        }).finish(),
      ),
    );
  }
  const detail = (key: string): string | undefined => {
    const value = error.details[key];
    return value === undefined || value === null ? undefined : String(value);
  };
  switch (error.code) {
    case 'NOT_FOUND':
      details.push(
        pack(
          'google.rpc.ResourceInfo',
          ResourceInfo.encode({
            resourceType: detail('entity') ?? '',
            resourceName: detail('id') ?? '',
            owner: '',
            description: error.message,
          }).finish(),
        ),
      );
      break;
    case 'PRECONDITION_FAILED':
    case 'PRECONDITION_REQUIRED':
    case 'INVALID_STATE':
    case 'CONFLICT':
      details.push(
        pack(
          'google.rpc.PreconditionFailure',
          PreconditionFailure.encode({
            violations: [
              {
                type: error.code,
                subject: [detail('entity'), detail('id')].filter((part) => part !== undefined).join(' '),
                description: error.message,
              },
            ],
          }).finish(),
        ),
      );
      break;
    case 'QUOTA_EXCEEDED':
      details.push(
        pack(
          'google.rpc.QuotaFailure',
          QuotaFailure.encode({
            violations: [{ subject: detail('quota') ?? '', description: error.message }],
          }).finish(),
        ),
      );
      break;
    case 'RATE_LIMITED':
    case 'UNAVAILABLE': {
      const seconds = Number(error.details['retryAfterSeconds'] ?? 1);
      details.push(
        pack(
          'google.rpc.RetryInfo',
          RetryInfo.encode({ retryDelay: { seconds: String(seconds), nanos: 0 } }).finish(),
        ),
      );
      break;
    }
    case 'INVALID_REQUEST':
    case 'VALIDATION_FAILED':
    case 'IDEMPOTENCY_KEY_REUSED':
    case 'UNAUTHENTICATED':
    case 'PERMISSION_DENIED':
    case 'ALREADY_EXISTS':
    case 'PAYLOAD_TOO_LARGE':
      break;
  }
  return details;
}

function pack(type: string, value: Uint8Array): Any {
  return { typeUrl: `type.googleapis.com/${type}`, value };
}
