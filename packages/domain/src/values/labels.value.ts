import { type ValidationIssue } from '../errors/domain.error';

/** Key/value labels on proxies, nodes, groups and resources, with Kubernetes' syntax rules. */
export type Labels = Readonly<Record<string, string>>;

export const LABEL_SELECTOR_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const;
export type LabelSelectorOperator = (typeof LABEL_SELECTOR_OPERATORS)[number];

export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: LabelSelectorOperator;
  /** Required and non-empty for `In`/`NotIn`; absent for `Exists`/`DoesNotExist`. */
  readonly values?: readonly string[];
}

/** Kubernetes-style selector: every `matchLabels` pair and every requirement must hold (logical AND). */
export interface LabelSelector {
  readonly matchLabels?: Labels;
  readonly matchExpressions?: readonly LabelSelectorRequirement[];
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const MAX_LABEL_NAME_LENGTH = 63;
const MAX_LABEL_PREFIX_LENGTH = 253;
const MAX_LABEL_VALUE_LENGTH = 63;

/** Returns why `key` is not a valid label key (`[prefix/]name`), or null when it is. */
export function labelKeyProblem(key: string): string | null {
  const slash = key.indexOf('/');
  const prefix = slash === -1 ? null : key.slice(0, slash);
  const name = slash === -1 ? key : key.slice(slash + 1);
  if (prefix !== null && (prefix.length > MAX_LABEL_PREFIX_LENGTH || !DNS_SUBDOMAIN.test(prefix))) {
    return `prefix "${prefix}" must be a DNS subdomain of at most ${MAX_LABEL_PREFIX_LENGTH} characters`;
  }
  if (name.length === 0 || name.length > MAX_LABEL_NAME_LENGTH || !LABEL_NAME.test(name)) {
    return `name "${name}" must be 1-${MAX_LABEL_NAME_LENGTH} characters of [A-Za-z0-9-_.], starting and ending with a letter or digit`;
  }
  return null;
}

/** Returns why `value` is not a valid label value, or null when it is. Empty values are allowed. */
export function labelValueProblem(value: string): string | null {
  if (value === '') return null;
  if (value.length > MAX_LABEL_VALUE_LENGTH || !LABEL_NAME.test(value)) {
    return `value "${value}" must be at most ${MAX_LABEL_VALUE_LENGTH} characters of [A-Za-z0-9-_.], starting and ending with a letter or digit`;
  }
  return null;
}

export function validateLabels(labels: Labels, path = 'labels'): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const [key, value] of Object.entries(labels)) {
    const keyProblem = labelKeyProblem(key);
    if (keyProblem) issues.push({ path: `${path}.${key}`, message: `invalid label key: ${keyProblem}` });
    const valueProblem = labelValueProblem(value);
    if (valueProblem)
      issues.push({ path: `${path}.${key}`, message: `invalid label value: ${valueProblem}` });
  }
  return issues;
}

export function validateLabelSelector(selector: LabelSelector, path = 'selector'): ValidationIssue[] {
  const issues = validateLabels(selector.matchLabels ?? {}, `${path}.matchLabels`);
  (selector.matchExpressions ?? []).forEach((requirement, index) => {
    const at = `${path}.matchExpressions[${index}]`;
    const keyProblem = labelKeyProblem(requirement.key);
    if (keyProblem) issues.push({ path: `${at}.key`, message: `invalid label key: ${keyProblem}` });
    switch (requirement.operator) {
      case 'In':
      case 'NotIn':
        if (!requirement.values || requirement.values.length === 0) {
          issues.push({
            path: `${at}.values`,
            message: `operator ${requirement.operator} needs at least one value`,
          });
        }
        requirement.values?.forEach((value, valueIndex) => {
          const problem = labelValueProblem(value);
          if (problem)
            issues.push({ path: `${at}.values[${valueIndex}]`, message: `invalid label value: ${problem}` });
        });
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (requirement.values && requirement.values.length > 0) {
          issues.push({ path: `${at}.values`, message: `operator ${requirement.operator} takes no values` });
        }
        break;
      default:
        issues.push({
          path: `${at}.operator`,
          message: `operator must be one of ${LABEL_SELECTOR_OPERATORS.join(', ')}`,
        });
    }
  });
  return issues;
}

/** True when the selector selects nothing in particular (it would match every object). */
export function isEmptyLabelSelector(selector: LabelSelector): boolean {
  return (
    Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0
  );
}

/** Kubernetes semantics: an empty selector matches everything; callers that must not select all check `isEmptyLabelSelector`. */
export function matchesLabelSelector(labels: Labels, selector: LabelSelector): boolean {
  const has = (key: string): boolean => Object.prototype.hasOwnProperty.call(labels, key);
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (!has(key) || labels[key] !== value) return false;
  }
  return (selector.matchExpressions ?? []).every((requirement) => {
    const present = has(requirement.key);
    const values = requirement.values ?? [];
    switch (requirement.operator) {
      case 'In':
        return present && values.includes(labels[requirement.key] ?? '');
      case 'NotIn':
        return !present || !values.includes(labels[requirement.key] ?? '');
      case 'Exists':
        return present;
      case 'DoesNotExist':
        return !present;
    }
  });
}
