/**
 * The one error type the domain raises. Each transport maps `code` at its edge (HTTP problem+json,
 * gRPC status, NATS nak) with an exhaustive switch, so adding a code is a compile error everywhere
 * it is not yet handled.
 */
export const DOMAIN_ERROR_CODES = [
  /** The request itself is malformed: unparsable, wrong shape, unknown properties, bad query parameters. */
  'INVALID_REQUEST',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'VALIDATION_FAILED',
  /** The caller's expected version (`If-Match`) is stale. */
  'PRECONDITION_FAILED',
  /** A change that must name the version it is based on (`If-Match`) did not. */
  'PRECONDITION_REQUIRED',
  /** The request collides with the current state of another entity (a port taken, a name in use by a reference). */
  'CONFLICT',
  'UNAUTHENTICATED',
  'PERMISSION_DENIED',
  'QUOTA_EXCEEDED',
  'RATE_LIMITED',
  'PAYLOAD_TOO_LARGE',
  /** The entity's state does not allow the operation (resume a completed rollout). */
  'INVALID_STATE',
  /** A retry key (`Idempotency-Key`) was reused for a different request. */
  'IDEMPOTENCY_KEY_REUSED',
  /** A part of the control plane the request waits on did not answer in time (fleet-manager); retry later. */
  'UNAVAILABLE',
] as const;

export type DomainErrorCode = (typeof DOMAIN_ERROR_CODES)[number];

/** One problem with one field of the input; `path` is a dotted JSON path such as `labels.app` or `waves[2].percent`. */
export interface ValidationIssue {
  readonly path: string;
  readonly message: string;
}

/** Machine-readable facts about the error, for clients (for example `retryAfterSeconds`, `limit`). */
export type DomainErrorDetails = Readonly<Record<string, string | number | boolean | null>>;

export interface DomainErrorOptions {
  readonly issues?: readonly ValidationIssue[];
  readonly details?: DomainErrorDetails;
  readonly cause?: unknown;
}

export class DomainError extends Error {
  override readonly name = 'DomainError';
  readonly code: DomainErrorCode;
  readonly issues: readonly ValidationIssue[];
  readonly details: DomainErrorDetails;

  constructor(code: DomainErrorCode, message: string, options: DomainErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.issues = options.issues ?? [];
    this.details = options.details ?? {};
  }

  static unavailable(message: string, details: DomainErrorDetails = {}): DomainError {
    return new DomainError('UNAVAILABLE', message, { details });
  }

  static notFound(entity: string, id: string): DomainError {
    return new DomainError('NOT_FOUND', `${entity} ${id} does not exist`, { details: { entity, id } });
  }

  static alreadyExists(entity: string, key: string): DomainError {
    return new DomainError('ALREADY_EXISTS', `${entity} ${key} already exists`, { details: { entity, key } });
  }

  /** Fails when `issues` is non-empty; the message names every issue so logs are useful on their own. */
  static assertValid(subject: string, issues: readonly ValidationIssue[]): void {
    if (issues.length === 0) return;
    const summary = issues.map((issue) => `${issue.path || '(root)'}: ${issue.message}`).join('; ');
    throw new DomainError('VALIDATION_FAILED', `${subject} is invalid: ${summary}`, { issues });
  }

  static staleVersion(entity: string, id: string, expectedVersion: number): DomainError {
    return new DomainError(
      'PRECONDITION_FAILED',
      `${entity} ${id} was changed by someone else since version ${expectedVersion}; read it again and retry`,
      { details: { entity, id, expectedVersion } },
    );
  }

  static invalidState(entity: string, id: string, state: string, operation: string): DomainError {
    return new DomainError(
      'INVALID_STATE',
      `${entity} ${id} is ${state}, which does not allow ${operation}`,
      {
        details: { entity, id, state, operation },
      },
    );
  }

  static quotaExceeded(quota: string, limit: number): DomainError {
    return new DomainError('QUOTA_EXCEEDED', `the tenant's quota ${quota} (${limit}) is reached`, {
      details: { quota, limit },
    });
  }
}

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}

export function isDomainErrorCode(value: string): value is DomainErrorCode {
  return (DOMAIN_ERROR_CODES as readonly string[]).includes(value);
}
