import { create } from '@bufbuild/protobuf';
import { reflect } from '@bufbuild/protobuf/reflect';
import { AnySchema, DurationSchema, TimestampSchema } from '@bufbuild/protobuf/wkt';
import { rulesOf } from '../../test/rule-readers';
import { anyCheck, durationCheck, formatDuration, timestampCheck } from './message-value-rules';

const duration = (seconds: bigint, nanos = 0) =>
  reflect(DurationSchema, create(DurationSchema, { seconds, nanos }));

describe(formatDuration.name, () => {
  it('writes durations as proto3 JSON does', () => {
    expect(formatDuration(0n)).toBe('0s');
    expect(formatDuration(250_000_000n)).toBe('0.250s');
    expect(formatDuration(1_000_001_000n)).toBe('1.000001s');
    expect(formatDuration(-1_500_000_000n)).toBe('-1.500s');
  });
});

describe(durationCheck.name, () => {
  it('compares whole nanoseconds against the bounds', () => {
    const sut = durationCheck(rulesOf('validate.DurationRules', { gte: '0.001s', lt: '1s' }));

    expect(sut(duration(0n, 1_000_000))).toBeUndefined();
    expect(sut(duration(0n, 999_999))).toEqual({
      rule: 'duration.gte',
      message: 'value must be inside range [0.001s, 1s)',
    });
    expect(sut(duration(1n))).toEqual({
      rule: 'duration.lt',
      message: 'value must be inside range [0.001s, 1s)',
    });
  });

  it('checks const and in', () => {
    expect(durationCheck(rulesOf('validate.DurationRules', { const: '5s' }))(duration(4n))).toEqual({
      rule: 'duration.const',
      message: 'value must equal 5s',
    });
    expect(durationCheck(rulesOf('validate.DurationRules', { in: ['1s', '2s'] }))(duration(3n))).toEqual({
      rule: 'duration.in',
      message: 'value must be in list [1s, 2s]',
    });
  });
});

describe(timestampCheck.name, () => {
  const now = () => 1_700_000_000n * 1_000_000_000n;
  const at = (seconds: bigint) => reflect(TimestampSchema, create(TimestampSchema, { seconds }));

  it('checks bounds and the position relative to now', () => {
    expect(
      timestampCheck(rulesOf('validate.TimestampRules', { lt_now: true }), now)(at(1_800_000_000n)),
    ).toEqual({
      rule: 'timestamp.lt_now',
      message: 'value must be less than now',
    });
    expect(
      timestampCheck(rulesOf('validate.TimestampRules', { gt: '2023-01-01T00:00:00Z' }), now)(at(0n)),
    ).toEqual({
      rule: 'timestamp.gt',
      message: 'value must be greater than 2023-01-01T00:00:00.000Z',
    });
    expect(
      timestampCheck(rulesOf('validate.TimestampRules', { within: '60s' }), now)(at(1_700_000_030n)),
    ).toBeUndefined();
  });
});

describe(anyCheck.name, () => {
  it('checks the type URL against in and not_in', () => {
    const router = reflect(
      AnySchema,
      create(AnySchema, { typeUrl: 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router' }),
    );

    expect(anyCheck(rulesOf('validate.AnyRules', { in: ['type.googleapis.com/a.B'] }))(router)).toEqual({
      rule: 'any.in',
      message: 'type URL must be in list [type.googleapis.com/a.B]',
    });
    expect(
      anyCheck(rulesOf('validate.AnyRules', { not_in: ['type.googleapis.com/a.B'] }))(router),
    ).toBeUndefined();
  });
});
