import { type DomainError, type DomainErrorCode, type ValidationIssue } from '@envoy-fleet/domain';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
const PROBLEM_TYPE_BASE = 'https://envoy-fleet.dev/problems/';

/** An RFC 9457 problem document, with the product's extension members. */
export interface ProblemDetails {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly instance: string;
  /** The domain error code, for clients that switch on it rather than on `type`. */
  readonly code?: DomainErrorCode;
  /** One entry per offending field, with a dotted JSON path. */
  readonly errors?: readonly ValidationIssue[];
  /** Machine-readable facts about the error (for example `retryAfterSeconds`). */
  readonly details?: Readonly<Record<string, string | number | boolean | null>>;
  /** Quoted in logs; given for unexpected errors so operators can find the cause. */
  readonly errorId?: string;
}

interface ProblemKind {
  readonly status: number;
  readonly title: string;
}

/** The HTTP meaning of each domain error: adding a code fails compilation until it is mapped here. */
export function problemKindOf(code: DomainErrorCode): ProblemKind {
  switch (code) {
    case 'INVALID_REQUEST':
      return { status: 400, title: 'The request is malformed' };
    case 'UNAUTHENTICATED':
      return { status: 401, title: 'Authentication is required' };
    case 'PERMISSION_DENIED':
      return { status: 403, title: 'The caller may not do this' };
    case 'QUOTA_EXCEEDED':
      return { status: 403, title: "The tenant's quota is reached" };
    case 'NOT_FOUND':
      return { status: 404, title: 'The resource does not exist' };
    case 'ALREADY_EXISTS':
      return { status: 409, title: 'The resource already exists' };
    case 'CONFLICT':
      return { status: 409, title: 'The request conflicts with the current state' };
    case 'INVALID_STATE':
      return { status: 409, title: "The resource's state does not allow this" };
    case 'PRECONDITION_FAILED':
      return { status: 412, title: 'The resource was changed since it was read' };
    case 'PAYLOAD_TOO_LARGE':
      return { status: 413, title: 'The request body is too large' };
    case 'UNAVAILABLE':
      return { status: 503, title: 'A part of the control plane did not answer in time' };
    case 'VALIDATION_FAILED':
      return { status: 422, title: 'The content is invalid' };
    case 'IDEMPOTENCY_KEY_REUSED':
      return { status: 422, title: 'The Idempotency-Key was used for a different request' };
    case 'PRECONDITION_REQUIRED':
      return { status: 428, title: 'The request must be conditional' };
    case 'RATE_LIMITED':
      return { status: 429, title: 'Too many requests' };
  }
}

/** The stable problem `type` of a domain error code, e.g. `https://envoy-fleet.dev/problems/not-found`. */
export function problemTypeOf(code: DomainErrorCode): string {
  return `${PROBLEM_TYPE_BASE}${code.toLowerCase().replace(/_/g, '-')}`;
}

export function problemFromDomainError(error: DomainError, instance: string): ProblemDetails {
  const { status, title } = problemKindOf(error.code);
  return {
    type: problemTypeOf(error.code),
    title,
    status,
    detail: error.message,
    instance,
    code: error.code,
    ...(error.issues.length > 0 ? { errors: error.issues } : {}),
    ...(Object.keys(error.details).length > 0 ? { details: error.details } : {}),
  };
}

/** A problem that is only HTTP (an unknown route, an unsupported media type): RFC 9457's `about:blank`. */
export function plainHttpProblem(
  status: number,
  title: string,
  detail: string,
  instance: string,
): ProblemDetails {
  return { type: 'about:blank', title, status, detail, instance };
}
