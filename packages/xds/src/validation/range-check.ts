import { type Violation } from './rule-reader';

/** The bounds of a numeric, duration or timestamp rule (`lt`, `lte`, `gt`, `gte`). */
export interface Bounds<T> {
  readonly lt?: T | undefined;
  readonly lte?: T | undefined;
  readonly gt?: T | undefined;
  readonly gte?: T | undefined;
}

export interface Ordering<T> {
  /** Negative, zero or positive; NaN when incomparable (NaN values fail every bound). */
  readonly compare: (a: T, b: T) => number;
  readonly format: (value: T) => string;
}

interface Bound<T> {
  readonly value: T;
  readonly inclusive: boolean;
  readonly rule: string;
}

function upperOf<T>(bounds: Bounds<T>): Bound<T> | undefined {
  if (bounds.lt !== undefined) return { value: bounds.lt, inclusive: false, rule: 'lt' };
  if (bounds.lte !== undefined) return { value: bounds.lte, inclusive: true, rule: 'lte' };
  return undefined;
}

function lowerOf<T>(bounds: Bounds<T>): Bound<T> | undefined {
  if (bounds.gt !== undefined) return { value: bounds.gt, inclusive: false, rule: 'gt' };
  if (bounds.gte !== undefined) return { value: bounds.gte, inclusive: true, rule: 'gte' };
  return undefined;
}

/**
 * protoc-gen-validate's range semantics: one bound alone is a limit; a lower bound below the upper one
 * is a range the value must be inside; a lower bound above the upper one is a range it must be outside.
 */
export function rangeCheck<T>(
  type: string,
  bounds: Bounds<T>,
  ordering: Ordering<T>,
): ((value: T) => Violation | undefined) | undefined {
  const upper = upperOf(bounds);
  const lower = lowerOf(bounds);
  const { compare, format } = ordering;
  const belowUpper = (value: T): boolean =>
    !upper || (upper.inclusive ? compare(value, upper.value) <= 0 : compare(value, upper.value) < 0);
  const aboveLower = (value: T): boolean =>
    !lower || (lower.inclusive ? compare(value, lower.value) >= 0 : compare(value, lower.value) > 0);
  const lowerText = (bound: Bound<T>): string =>
    `greater than ${bound.inclusive ? 'or equal to ' : ''}${format(bound.value)}`;
  const upperText = (bound: Bound<T>): string =>
    `less than ${bound.inclusive ? 'or equal to ' : ''}${format(bound.value)}`;

  if (upper && lower) {
    if (compare(lower.value, upper.value) <= 0) {
      const range =
        `${lower.inclusive ? '[' : '('}${format(lower.value)}, ` +
        `${format(upper.value)}${upper.inclusive ? ']' : ')'}`;
      return (value) => {
        if (!aboveLower(value))
          return { rule: `${type}.${lower.rule}`, message: `value must be inside range ${range}` };
        if (!belowUpper(value))
          return { rule: `${type}.${upper.rule}`, message: `value must be inside range ${range}` };
        return undefined;
      };
    }
    return (value) =>
      aboveLower(value) || belowUpper(value)
        ? undefined
        : {
            rule: `${type}.${lower.rule}`,
            message: `value must be ${lowerText(lower)} or ${upperText(upper)}`,
          };
  }
  if (upper) {
    return (value) =>
      belowUpper(value)
        ? undefined
        : { rule: `${type}.${upper.rule}`, message: `value must be ${upperText(upper)}` };
  }
  if (!lower) return undefined;
  return (value) =>
    aboveLower(value)
      ? undefined
      : { rule: `${type}.${lower.rule}`, message: `value must be ${lowerText(lower)}` };
}
