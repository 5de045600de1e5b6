import { DomainError, isDomainError, type ValidationIssue } from '@envoy-fleet/domain';
import { translateDatabaseError } from '@envoy-fleet/db';

/**
 * Runs `work` and moves the paths of the validation issues it raises to where the caller's request
 * holds the offending fields (`pathOf`): under `body.` in a bulk operation, to the gRPC request's field
 * names. `describe`, when given, rewrites the message from the moved issues; otherwise it is kept.
 */
export async function withIssuesAt<T>(
  pathOf: (path: string) => string,
  work: () => Promise<T> | T,
  describe?: (error: DomainError, issues: readonly ValidationIssue[]) => string,
): Promise<T> {
  try {
    return await work();
  } catch (thrown) {
    const error = translateDatabaseError(thrown);
    if (!isDomainError(error) || error.issues.length === 0) throw thrown;
    const issues = error.issues.map((issue) => ({ path: pathOf(issue.path), message: issue.message }));
    throw new DomainError(error.code, describe?.(error, issues) ?? error.message, {
      issues,
      details: error.details,
      cause: thrown,
    });
  }
}
