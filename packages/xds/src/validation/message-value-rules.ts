import { isMessage } from '@bufbuild/protobuf';
import { isReflectMessage, type ReflectMessage } from '@bufbuild/protobuf/reflect';
import { AnySchema, DurationSchema, TimestampSchema } from '@bufbuild/protobuf/wkt';
import { type Ordering, rangeCheck } from './range-check';
import { type RuleReader, type ValueCheck, type Violation } from './rule-reader';

const NANOS_PER_SECOND = 1_000_000_000n;

/** Durations and timestamps compare as whole nanoseconds. */
function toNanos(message: ReflectMessage | undefined): bigint | undefined {
  const value = message?.message;
  if (isMessage(value, DurationSchema) || isMessage(value, TimestampSchema)) {
    return value.seconds * NANOS_PER_SECOND + BigInt(value.nanos);
  }
  return undefined;
}

const compareBigints = (a: bigint, b: bigint): number => (a < b ? -1 : a > b ? 1 : 0);

/** As in proto3 JSON: `0s`, `1.500s`. */
export function formatDuration(nanos: bigint): string {
  const sign = nanos < 0n ? '-' : '';
  const magnitude = nanos < 0n ? -nanos : nanos;
  const seconds = magnitude / NANOS_PER_SECOND;
  const fraction = magnitude % NANOS_PER_SECOND;
  if (fraction === 0n) return `${sign}${seconds}s`;
  const digits = fraction
    .toString()
    .padStart(9, '0')
    .replace(/(?:000)+$/, '');
  return `${sign}${seconds}.${digits}s`;
}

function formatTimestamp(nanos: bigint): string {
  return new Date(Number(nanos / 1_000_000n)).toISOString();
}

const DURATION_ORDERING: Ordering<bigint> = { compare: compareBigints, format: formatDuration };
const TIMESTAMP_ORDERING: Ordering<bigint> = { compare: compareBigints, format: formatTimestamp };

function nanosRule(rules: RuleReader, name: string): bigint | undefined {
  return toNanos(rules.messageValue(name));
}

function firstOf(
  checks: readonly ((nanos: bigint) => Violation | undefined)[],
): (nanos: bigint) => Violation | undefined {
  return (nanos) => {
    for (const check of checks) {
      const violation = check(nanos);
      if (violation) return violation;
    }
    return undefined;
  };
}

export function durationCheck(rules: RuleReader): ValueCheck {
  const checks: ((nanos: bigint) => Violation | undefined)[] = [];
  const constant = nanosRule(rules, 'const');
  if (constant !== undefined) {
    checks.push((nanos) =>
      nanos === constant
        ? undefined
        : { rule: 'duration.const', message: `value must equal ${formatDuration(constant)}` },
    );
  }
  const listed = (name: string): bigint[] =>
    rules.list(name).flatMap((item) => {
      const nanos = isReflectMessage(item) ? toNanos(item) : undefined;
      return nanos === undefined ? [] : [nanos];
    });
  const allowed = listed('in');
  const denied = listed('not_in');
  if (allowed.length > 0) {
    checks.push((nanos) =>
      allowed.includes(nanos)
        ? undefined
        : {
            rule: 'duration.in',
            message: `value must be in list [${allowed.map(formatDuration).join(', ')}]`,
          },
    );
  }
  if (denied.length > 0) {
    checks.push((nanos) =>
      denied.includes(nanos)
        ? {
            rule: 'duration.not_in',
            message: `value must not be in list [${denied.map(formatDuration).join(', ')}]`,
          }
        : undefined,
    );
  }
  const range = rangeCheck(
    'duration',
    {
      lt: nanosRule(rules, 'lt'),
      lte: nanosRule(rules, 'lte'),
      gt: nanosRule(rules, 'gt'),
      gte: nanosRule(rules, 'gte'),
    },
    DURATION_ORDERING,
  );
  if (range) checks.push(range);
  const check = firstOf(checks);
  return (value) => {
    const nanos = isReflectMessage(value) ? toNanos(value) : undefined;
    return nanos === undefined ? undefined : check(nanos);
  };
}

export function timestampCheck(rules: RuleReader, now: () => bigint): ValueCheck {
  const checks: ((nanos: bigint) => Violation | undefined)[] = [];
  const constant = nanosRule(rules, 'const');
  if (constant !== undefined) {
    checks.push((nanos) =>
      nanos === constant
        ? undefined
        : { rule: 'timestamp.const', message: `value must equal ${formatTimestamp(constant)}` },
    );
  }
  const range = rangeCheck(
    'timestamp',
    {
      lt: nanosRule(rules, 'lt'),
      lte: nanosRule(rules, 'lte'),
      gt: nanosRule(rules, 'gt'),
      gte: nanosRule(rules, 'gte'),
    },
    TIMESTAMP_ORDERING,
  );
  if (range) checks.push(range);
  const within = nanosRule(rules, 'within');
  if (rules.flag('lt_now')) {
    checks.push((nanos) =>
      nanos < now() ? undefined : { rule: 'timestamp.lt_now', message: 'value must be less than now' },
    );
  }
  if (rules.flag('gt_now')) {
    checks.push((nanos) =>
      nanos > now() ? undefined : { rule: 'timestamp.gt_now', message: 'value must be greater than now' },
    );
  }
  if (within !== undefined) {
    checks.push((nanos) => {
      const distance = nanos - now();
      return (distance < 0n ? -distance : distance) <= within
        ? undefined
        : { rule: 'timestamp.within', message: `value must be within ${formatDuration(within)} of now` };
    });
  }
  const check = firstOf(checks);
  return (value) => {
    const nanos = isReflectMessage(value) ? toNanos(value) : undefined;
    return nanos === undefined ? undefined : check(nanos);
  };
}

export function anyCheck(rules: RuleReader): ValueCheck {
  const strings = (name: string): string[] =>
    rules.list(name).filter((item): item is string => typeof item === 'string');
  const allowed = strings('in');
  const denied = strings('not_in');
  return (value) => {
    const any = isReflectMessage(value) ? value.message : undefined;
    if (!isMessage(any, AnySchema)) return undefined;
    if (allowed.length > 0 && !allowed.includes(any.typeUrl)) {
      return { rule: 'any.in', message: `type URL must be in list [${allowed.join(', ')}]` };
    }
    if (denied.includes(any.typeUrl)) {
      return { rule: 'any.not_in', message: `type URL must not be in list [${denied.join(', ')}]` };
    }
    return undefined;
  };
}
