import { type DescEnum } from '@bufbuild/protobuf';
import { type Ordering, rangeCheck } from './range-check';
import { type RuleReader, type ValueCheck, type Violation } from './rule-reader';
import { headerRegex, STRING_FORMATS } from './well-known-formats';

type Numeric = number | bigint;

/** The FieldRules members for numbers; 64-bit ones hold bigints, like the values they check. */
export const NUMERIC_RULE_TYPES = new Set([
  'float',
  'double',
  'int32',
  'int64',
  'uint32',
  'uint64',
  'sint32',
  'sint64',
  'fixed32',
  'fixed64',
  'sfixed32',
  'sfixed64',
]);

const isNumeric = (value: unknown): value is Numeric =>
  typeof value === 'number' || typeof value === 'bigint';

function compareNumeric(a: Numeric, b: Numeric): number {
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  const x = Number(a);
  const y = Number(b);
  return x < y ? -1 : x > y ? 1 : x === y ? 0 : NaN;
}

const NUMERIC_ORDERING: Ordering<Numeric> = { compare: compareNumeric, format: String };

const listText = (values: readonly unknown[]): string =>
  `[${values.map((v) => (typeof v === 'string' ? JSON.stringify(v) : String(v))).join(', ')}]`;

/** Runs checks in order and returns the first violation, as protoc-gen-validate reports one per value. */
function firstOf<T>(
  checks: readonly ((value: T) => Violation | undefined)[],
): (value: T) => Violation | undefined {
  return (value) => {
    for (const check of checks) {
      const violation = check(value);
      if (violation) return violation;
    }
    return undefined;
  };
}

function membershipChecks<T>(
  type: string,
  rules: RuleReader,
  accept: (item: unknown) => item is T,
  equals: (a: T, b: T) => boolean,
): ((value: T) => Violation | undefined)[] {
  const allowed = rules.list('in').filter(accept);
  const denied = rules.list('not_in').filter(accept);
  const checks: ((value: T) => Violation | undefined)[] = [];
  if (allowed.length > 0) {
    checks.push((value) =>
      allowed.some((item) => equals(value, item))
        ? undefined
        : { rule: `${type}.in`, message: `value must be in list ${listText(allowed)}` },
    );
  }
  if (denied.length > 0) {
    checks.push((value) =>
      denied.some((item) => equals(value, item))
        ? { rule: `${type}.not_in`, message: `value must not be in list ${listText(denied)}` }
        : undefined,
    );
  }
  return checks;
}

export function numericCheck(type: string, rules: RuleReader): ValueCheck {
  const checks: ((value: Numeric) => Violation | undefined)[] = [];
  const constant = rules.number('const');
  if (constant !== undefined) {
    checks.push((value) =>
      compareNumeric(value, constant) === 0
        ? undefined
        : { rule: `${type}.const`, message: `value must equal ${constant}` },
    );
  }
  checks.push(...membershipChecks(type, rules, isNumeric, (a, b) => compareNumeric(a, b) === 0));
  const range = rangeCheck(
    type,
    { lt: rules.number('lt'), lte: rules.number('lte'), gt: rules.number('gt'), gte: rules.number('gte') },
    NUMERIC_ORDERING,
  );
  if (range) checks.push(range);
  const check = firstOf(checks);
  return (value) => (isNumeric(value) ? check(value) : undefined);
}

const runeLength = (value: string): number => {
  let length = 0;
  for (const _ of value) length += 1;
  return length;
};

/**
 * Patterns are RE2 in protoc-gen-validate; every pattern in the pinned Envoy API is also valid
 * JavaScript with the same meaning (a spec test compiles them all). Like RE2's MatchString, a pattern
 * matches anywhere unless anchored.
 */
function compilePattern(pattern: string): RegExp {
  try {
    return new RegExp(pattern, 'u');
  } catch (error) {
    throw new Error(
      `validate.rules pattern ${JSON.stringify(pattern)} is not a JavaScript regular expression`,
      {
        cause: error,
      },
    );
  }
}

function lengthCheck(
  rule: string,
  expected: number | undefined,
  measure: (value: string) => number,
  compare: 'eq' | 'min' | 'max',
  unit: string,
): ((value: string) => Violation | undefined) | undefined {
  if (expected === undefined) return undefined;
  const text = { eq: '', min: 'at least ', max: 'at most ' }[compare];
  const passes = {
    eq: (n: number) => n === expected,
    min: (n: number) => n >= expected,
    max: (n: number) => n <= expected,
  }[compare];
  return (value) =>
    passes(measure(value)) ? undefined : { rule, message: `value length must be ${text}${expected} ${unit}` };
}

export function stringCheck(rules: RuleReader): ValueCheck {
  const byteLength = (value: string): number => Buffer.byteLength(value, 'utf8');
  const checks: ((value: string) => Violation | undefined)[] = [];
  const add = (check: ((value: string) => Violation | undefined) | undefined): void => {
    if (check) checks.push(check);
  };
  const constant = rules.string('const');
  if (constant !== undefined) {
    add((value) =>
      value === constant
        ? undefined
        : { rule: 'string.const', message: `value must equal ${JSON.stringify(constant)}` },
    );
  }
  add(lengthCheck('string.len', rules.count('len'), runeLength, 'eq', 'runes'));
  add(lengthCheck('string.min_len', rules.count('min_len'), runeLength, 'min', 'runes'));
  add(lengthCheck('string.max_len', rules.count('max_len'), runeLength, 'max', 'runes'));
  add(lengthCheck('string.len_bytes', rules.count('len_bytes'), byteLength, 'eq', 'bytes'));
  add(lengthCheck('string.min_bytes', rules.count('min_bytes'), byteLength, 'min', 'bytes'));
  add(lengthCheck('string.max_bytes', rules.count('max_bytes'), byteLength, 'max', 'bytes'));
  const pattern = rules.string('pattern');
  if (pattern !== undefined) {
    const regex = compilePattern(pattern);
    add((value) =>
      regex.test(value)
        ? undefined
        : {
            rule: 'string.pattern',
            message: `value does not match regex pattern ${JSON.stringify(pattern)}`,
          },
    );
  }
  const affix = (rule: string, text: string, test: (value: string, part: string) => boolean): void => {
    const part = rules.string(rule);
    if (part !== undefined)
      add((value) =>
        test(value, part)
          ? undefined
          : { rule: `string.${rule}`, message: `${text} ${JSON.stringify(part)}` },
      );
  };
  affix('prefix', 'value does not have prefix', (value, part) => value.startsWith(part));
  affix('suffix', 'value does not have suffix', (value, part) => value.endsWith(part));
  affix('contains', 'value does not contain substring', (value, part) => value.includes(part));
  affix('not_contains', 'value contains substring', (value, part) => !value.includes(part));
  checks.push(
    ...membershipChecks(
      'string',
      rules,
      (item): item is string => typeof item === 'string',
      (a, b) => a === b,
    ),
  );
  add(wellKnownStringCheck(rules));

  const check = firstOf(checks);
  const ignoreEmpty = rules.flag('ignore_empty');
  return (value) => {
    if (typeof value !== 'string' || (ignoreEmpty && value === '')) return undefined;
    return check(value);
  };
}

function wellKnownStringCheck(rules: RuleReader): ((value: string) => Violation | undefined) | undefined {
  const wellKnown = rules.oneofValue('well_known');
  if (!wellKnown) return undefined;
  if (wellKnown.name === 'well_known_regex') {
    // KnownRegex: 1 = HTTP_HEADER_NAME, 2 = HTTP_HEADER_VALUE; 0 (UNKNOWN) checks nothing.
    const kind =
      wellKnown.value === 1 ? 'HTTP_HEADER_NAME' : wellKnown.value === 2 ? 'HTTP_HEADER_VALUE' : undefined;
    if (!kind) return undefined;
    const regex = headerRegex(kind, rules.valueOrDefault('strict') !== false);
    return (value) =>
      regex.test(value)
        ? undefined
        : {
            rule: 'string.well_known_regex',
            message: `value does not match regex pattern ${JSON.stringify(regex.source)}`,
          };
  }
  const format = STRING_FORMATS[wellKnown.name];
  if (!format || wellKnown.value !== true) return undefined;
  return (value) =>
    format.test(value) ? undefined : { rule: `string.${wellKnown.name}`, message: format.message };
}

const bytesEqual = (a: Uint8Array, b: Uint8Array): boolean =>
  a.length === b.length && a.every((byte, index) => byte === b[index]);

function indexOfBytes(haystack: Uint8Array, needle: Uint8Array): number {
  return Buffer.from(haystack.buffer, haystack.byteOffset, haystack.byteLength).indexOf(needle);
}

export function bytesCheck(rules: RuleReader): ValueCheck {
  const checks: ((value: Uint8Array) => Violation | undefined)[] = [];
  const hex = (value: Uint8Array): string => Buffer.from(value).toString('hex');
  const constant = rules.bytes('const');
  if (constant) {
    checks.push((value) =>
      bytesEqual(value, constant)
        ? undefined
        : { rule: 'bytes.const', message: `value must equal 0x${hex(constant)}` },
    );
  }
  const sizes: [string, number | undefined, (n: number, limit: number) => boolean, string][] = [
    ['len', rules.count('len'), (n, limit) => n === limit, ''],
    ['min_len', rules.count('min_len'), (n, limit) => n >= limit, 'at least '],
    ['max_len', rules.count('max_len'), (n, limit) => n <= limit, 'at most '],
  ];
  for (const [rule, limit, passes, text] of sizes) {
    if (limit !== undefined) {
      checks.push((value) =>
        passes(value.length, limit)
          ? undefined
          : { rule: `bytes.${rule}`, message: `value length must be ${text}${limit} bytes` },
      );
    }
  }
  const pattern = rules.string('pattern');
  if (pattern !== undefined) {
    const regex = compilePattern(pattern);
    checks.push((value) =>
      regex.test(Buffer.from(value).toString('utf8'))
        ? undefined
        : { rule: 'bytes.pattern', message: `value does not match regex pattern ${JSON.stringify(pattern)}` },
    );
  }
  const prefix = rules.bytes('prefix');
  if (prefix) {
    checks.push((value) =>
      bytesEqual(value.subarray(0, prefix.length), prefix)
        ? undefined
        : { rule: 'bytes.prefix', message: `value does not have prefix 0x${hex(prefix)}` },
    );
  }
  const suffix = rules.bytes('suffix');
  if (suffix) {
    checks.push((value) =>
      value.length >= suffix.length && bytesEqual(value.subarray(value.length - suffix.length), suffix)
        ? undefined
        : { rule: 'bytes.suffix', message: `value does not have suffix 0x${hex(suffix)}` },
    );
  }
  const contains = rules.bytes('contains');
  if (contains) {
    checks.push((value) =>
      indexOfBytes(value, contains) >= 0
        ? undefined
        : { rule: 'bytes.contains', message: `value does not contain 0x${hex(contains)}` },
    );
  }
  checks.push(
    ...membershipChecks('bytes', rules, (item): item is Uint8Array => item instanceof Uint8Array, bytesEqual),
  );
  const ipLengths: Readonly<Record<string, readonly number[]>> = { ip: [4, 16], ipv4: [4], ipv6: [16] };
  const wellKnown = rules.oneofValue('well_known');
  const lengths = wellKnown && wellKnown.value === true ? ipLengths[wellKnown.name] : undefined;
  if (wellKnown && lengths) {
    checks.push((value) =>
      lengths.includes(value.length)
        ? undefined
        : {
            rule: `bytes.${wellKnown.name}`,
            message: `value must be a valid ${wellKnown.name} address in binary form`,
          },
    );
  }
  const check = firstOf(checks);
  return (value) => (value instanceof Uint8Array ? check(value) : undefined);
}

export function boolCheck(rules: RuleReader): ValueCheck {
  const constant = rules.value('const');
  return (value) =>
    typeof value === 'boolean' && typeof constant === 'boolean' && value !== constant
      ? { rule: 'bool.const', message: `value must equal ${constant}` }
      : undefined;
}

export function enumCheck(rules: RuleReader, schema: DescEnum): ValueCheck {
  const checks: ((value: number) => Violation | undefined)[] = [];
  const constant = rules.number('const');
  if (constant !== undefined) {
    checks.push((value) =>
      value === constant ? undefined : { rule: 'enum.const', message: `value must equal ${constant}` },
    );
  }
  if (rules.flag('defined_only')) {
    const defined = new Set(schema.values.map((v) => v.number));
    checks.push((value) =>
      defined.has(value)
        ? undefined
        : {
            rule: 'enum.defined_only',
            message: `value must be one of the defined enum values of ${schema.typeName}`,
          },
    );
  }
  checks.push(
    ...membershipChecks(
      'enum',
      rules,
      (item): item is number => typeof item === 'number',
      (a, b) => a === b,
    ),
  );
  const check = firstOf(checks);
  return (value) => (typeof value === 'number' ? check(value) : undefined);
}
