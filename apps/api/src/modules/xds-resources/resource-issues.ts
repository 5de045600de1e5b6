import type { ValidationIssue } from '@envoy-fleet/domain';
import type { SpecSection } from '../configs/proxy-config';

/**
 * A config write's issues in the terms of a request that wrote one resource of it: issues inside the
 * resource at `spec.<section>[index]` move to `resource...` (the request body's field), the others keep
 * their path in the config (another resource that references it, for example).
 */
export function issuesOfWrittenResource(
  issues: readonly ValidationIssue[],
  section: SpecSection,
  index: number,
): ValidationIssue[] {
  const prefix = `spec.${section}[${index}]`;
  return issues.map((issue) => {
    const rest = issue.path.slice(prefix.length);
    const inside =
      issue.path.startsWith(prefix) && (rest === '' || rest.startsWith('.') || rest.startsWith('['));
    return inside ? { path: `resource${rest}`, message: issue.message } : issue;
  });
}
