import {
  DomainError,
  type LabelSelector,
  type LabelSelectorRequirement,
  validateLabelSelector,
} from '@envoy-fleet/domain';

const SET_REQUIREMENT = /^([^\s!=(),]+)\s+(in|notin)\s*\(([^()]*)\)$/;
const EQUALITY_REQUIREMENT = /^([^\s!=(),]+)\s*(==|=|!=)\s*([^\s!=(),]*)$/;
const EXISTENCE_REQUIREMENT = /^(!?)\s*([^\s!=(),]+)$/;

/**
 * Kubernetes' label selector syntax as a query parameter: `env=prod,tier!=db,zone in (a,b),canary,!legacy`.
 * Requirements are separated by commas outside parentheses; all must hold.
 */
export function parseLabelSelectorQuery(text: string, path = 'query.labels'): LabelSelector {
  const matchLabels: Record<string, string> = {};
  const matchExpressions: LabelSelectorRequirement[] = [];
  for (const part of splitRequirements(text)) {
    const requirement = part.trim();
    const set = SET_REQUIREMENT.exec(requirement);
    const equality = EQUALITY_REQUIREMENT.exec(requirement);
    const existence = EXISTENCE_REQUIREMENT.exec(requirement);
    if (set?.[1] !== undefined && set[3] !== undefined) {
      const values = set[3].split(',').map((value) => value.trim());
      matchExpressions.push({ key: set[1], operator: set[2] === 'in' ? 'In' : 'NotIn', values });
    } else if (equality?.[1] !== undefined && equality[3] !== undefined) {
      if (equality[2] === '!=') {
        matchExpressions.push({ key: equality[1], operator: 'NotIn', values: [equality[3]] });
      } else {
        matchLabels[equality[1]] = equality[3];
      }
    } else if (existence?.[2] !== undefined) {
      matchExpressions.push({
        key: existence[2],
        operator: existence[1] === '!' ? 'DoesNotExist' : 'Exists',
      });
    } else {
      throw invalid(
        path,
        `"${requirement}" is not a label requirement (key=value, key!=value, key in (a,b), key notin (a,b), key, !key)`,
      );
    }
  }
  const selector: LabelSelector = { matchLabels, matchExpressions };
  const issues = validateLabelSelector(selector, path);
  if (issues.length > 0) {
    throw new DomainError('INVALID_REQUEST', `the label selector is invalid: ${issues[0]?.message ?? ''}`, {
      issues,
    });
  }
  return selector;
}

function splitRequirements(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const character of text) {
    if (character === '(') depth += 1;
    if (character === ')') depth -= 1;
    if (character === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += character;
    }
  }
  parts.push(current);
  return parts.filter((part) => part.trim() !== '');
}

function invalid(path: string, message: string): DomainError {
  return new DomainError('INVALID_REQUEST', `the label selector is invalid: ${message}`, {
    issues: [{ path, message }],
  });
}
