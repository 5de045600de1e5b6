import { DomainError } from '@envoy-fleet/domain';
import { QueryFailedError } from 'typeorm';

/** The fields of a node-postgres error that say what went wrong. */
interface PostgresErrorFields {
  readonly code?: string;
  readonly constraint?: string;
  readonly column?: string;
  readonly table?: string;
  readonly detail?: string;
}

/**
 * Turns the database's refusals into DomainErrors that the transports already map, naming the
 * constraint so clients can tell which rule failed. Anything else is returned unchanged.
 */
export function translateDatabaseError(error: unknown): unknown {
  if (!(error instanceof QueryFailedError)) return error;
  const fields = error.driverError as PostgresErrorFields;
  const constraint = fields.constraint ?? null;
  const details = { table: fields.table ?? null, constraint };
  const because = fields.detail ? `: ${fields.detail}` : '';
  switch (fields.code) {
    case '23505':
      return new DomainError('ALREADY_EXISTS', `${fields.table ?? 'row'} already exists${because}`, {
        details,
        cause: error,
      });
    case '23503':
      // "insert or update ... violates" means the referenced row is missing (or in another tenant);
      // otherwise a row still in use was about to be deleted.
      return error.message.startsWith('insert or update')
        ? new DomainError('VALIDATION_FAILED', `reference to a row that does not exist${because}`, {
            issues: [{ path: constraint ?? '', message: 'refers to a row that does not exist' }],
            details,
            cause: error,
          })
        : new DomainError('CONFLICT', `${fields.table ?? 'row'} is still referenced${because}`, {
            details,
            cause: error,
          });
    case '23514':
    case '23502':
      return new DomainError('VALIDATION_FAILED', error.message, {
        issues: [{ path: fields.column ?? constraint ?? '', message: error.message }],
        details,
        cause: error,
      });
    case '23001':
      return new DomainError('INVALID_STATE', error.message, { details, cause: error });
    case '42501':
      return new DomainError('PERMISSION_DENIED', error.message, { details, cause: error });
    case '40001':
    case '40P01':
      return new DomainError('CONFLICT', 'a concurrent transaction touched the same rows; retry', {
        details,
        cause: error,
      });
    default:
      return error;
  }
}
