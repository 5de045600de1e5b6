import { rulesOf } from '../../test/rule-readers';
import { envoyRegistry } from '../envoy-registry';
import { boolCheck, bytesCheck, enumCheck, numericCheck, stringCheck } from './scalar-rules';

describe('numericCheck', () => {
  it('checks a single bound', () => {
    const sut = numericCheck('uint32', rulesOf('validate.UInt32Rules', { lte: 65535 }));

    expect(sut(65535)).toBeUndefined();
    expect(sut(65536)).toEqual({ rule: 'uint32.lte', message: 'value must be less than or equal to 65535' });
  });

  it('checks a range and names the bound that failed', () => {
    const sut = numericCheck('double', rulesOf('validate.DoubleRules', { gte: 0, lt: 1 }));

    expect(sut(0.5)).toBeUndefined();
    expect(sut(-0.1)).toEqual({ rule: 'double.gte', message: 'value must be inside range [0, 1)' });
    expect(sut(1)).toEqual({ rule: 'double.lt', message: 'value must be inside range [0, 1)' });
    expect(sut(Number.NaN)).toEqual(expect.objectContaining({ rule: 'double.gte' }));
  });

  it('reads a lower bound above the upper one as a range to stay out of', () => {
    const sut = numericCheck('int32', rulesOf('validate.Int32Rules', { gt: 10, lt: 0 }));

    expect(sut(-1)).toBeUndefined();
    expect(sut(11)).toBeUndefined();
    expect(sut(5)).toEqual({ rule: 'int32.gt', message: 'value must be greater than 10 or less than 0' });
  });

  it('compares 64-bit values as bigints', () => {
    const sut = numericCheck('uint64', rulesOf('validate.UInt64Rules', { gt: '9007199254740992' }));

    expect(sut(9007199254740993n)).toBeUndefined();
    expect(sut(9007199254740992n)).toEqual({
      rule: 'uint64.gt',
      message: 'value must be greater than 9007199254740992',
    });
  });

  it('checks const, in and not_in', () => {
    expect(numericCheck('int32', rulesOf('validate.Int32Rules', { const: 3 }))(4)).toEqual({
      rule: 'int32.const',
      message: 'value must equal 3',
    });
    expect(numericCheck('fixed32', rulesOf('validate.Fixed32Rules', { in: [1, 2] }))(3)).toEqual({
      rule: 'fixed32.in',
      message: 'value must be in list [1, 2]',
    });
    expect(numericCheck('sint64', rulesOf('validate.SInt64Rules', { not_in: ['0'] }))(0n)).toEqual({
      rule: 'sint64.not_in',
      message: 'value must not be in list [0]',
    });
  });
});

describe('stringCheck', () => {
  it('counts runes for len rules and UTF-8 bytes for byte rules', () => {
    const runes = stringCheck(rulesOf('validate.StringRules', { max_len: 2 }));
    const bytes = stringCheck(rulesOf('validate.StringRules', { max_bytes: 2 }));

    expect(runes('é😀')).toBeUndefined();
    expect(bytes('é😀')).toEqual({
      rule: 'string.max_bytes',
      message: 'value length must be at most 2 bytes',
    });
    expect(runes('abc')).toEqual({ rule: 'string.max_len', message: 'value length must be at most 2 runes' });
  });

  it('matches patterns anywhere unless anchored, like RE2 MatchString', () => {
    const sut = stringCheck(rulesOf('validate.StringRules', { pattern: '^[^?#]+[^?#/]$' }));

    expect(sut('/api/v1')).toBeUndefined();
    expect(sut('/api/')).toEqual({
      rule: 'string.pattern',
      message: 'value does not match regex pattern "^[^?#]+[^?#/]$"',
    });
  });

  it('checks affixes and membership', () => {
    expect(stringCheck(rulesOf('validate.StringRules', { prefix: '/' }))('a')).toEqual({
      rule: 'string.prefix',
      message: 'value does not have prefix "/"',
    });
    expect(stringCheck(rulesOf('validate.StringRules', { not_contains: '..' }))('a/../b')).toEqual({
      rule: 'string.not_contains',
      message: 'value contains substring ".."',
    });
    expect(stringCheck(rulesOf('validate.StringRules', { in: ['GET', 'POST'] }))('PUT')).toEqual({
      rule: 'string.in',
      message: 'value must be in list ["GET", "POST"]',
    });
  });

  it('applies the strict header name regex by default and the lenient one when strict is false', () => {
    const strict = stringCheck(rulesOf('validate.StringRules', { well_known_regex: 'HTTP_HEADER_NAME' }));
    const lenient = stringCheck(
      rulesOf('validate.StringRules', { well_known_regex: 'HTTP_HEADER_NAME', strict: false }),
    );

    expect(strict(':authority')).toBeUndefined();
    expect(strict('x custom')).toEqual(expect.objectContaining({ rule: 'string.well_known_regex' }));
    expect(lenient('x custom')).toBeUndefined();
    expect(lenient('x\r\ncustom')).toEqual(expect.objectContaining({ rule: 'string.well_known_regex' }));
  });

  it('allows control-free header values and skips empty values with ignore_empty', () => {
    const value = stringCheck(rulesOf('validate.StringRules', { well_known_regex: 'HTTP_HEADER_VALUE' }));
    const optionalName = stringCheck(
      rulesOf('validate.StringRules', { well_known_regex: 'HTTP_HEADER_NAME', ignore_empty: true }),
    );

    expect(value('text/html; charset=utf-8\t')).toBeUndefined();
    expect(value('a\u0001b')).toEqual(expect.objectContaining({ rule: 'string.well_known_regex' }));
    expect(optionalName('')).toBeUndefined();
    expect(optionalName('bad name')).toEqual(expect.objectContaining({ rule: 'string.well_known_regex' }));
  });

  it('checks well-known formats', () => {
    expect(stringCheck(rulesOf('validate.StringRules', { hostname: true }))('-bad.example')).toEqual({
      rule: 'string.hostname',
      message: 'value must be a valid hostname',
    });
    expect(stringCheck(rulesOf('validate.StringRules', { address: true }))('10.0.0.1')).toBeUndefined();
    expect(stringCheck(rulesOf('validate.StringRules', { ipv6: true }))('10.0.0.1')).toEqual({
      rule: 'string.ipv6',
      message: 'value must be a valid IPv6 address',
    });
    expect(
      stringCheck(rulesOf('validate.StringRules', { uri: true }))('https://example.com/x'),
    ).toBeUndefined();
  });
});

describe('bytesCheck', () => {
  it('checks lengths, affixes and binary IP addresses', () => {
    expect(bytesCheck(rulesOf('validate.BytesRules', { min_len: 2 }))(Uint8Array.of(1))).toEqual({
      rule: 'bytes.min_len',
      message: 'value length must be at least 2 bytes',
    });
    expect(
      bytesCheck(rulesOf('validate.BytesRules', { prefix: 'AQI=' }))(Uint8Array.of(1, 2, 3)),
    ).toBeUndefined();
    expect(bytesCheck(rulesOf('validate.BytesRules', { ipv4: true }))(Uint8Array.of(10, 0, 0))).toEqual(
      expect.objectContaining({ rule: 'bytes.ipv4' }),
    );
  });
});

describe('boolCheck and enumCheck', () => {
  it('checks bool const', () => {
    expect(boolCheck(rulesOf('validate.BoolRules', { const: true }))(false)).toEqual({
      rule: 'bool.const',
      message: 'value must equal true',
    });
  });

  it('checks that enum values are defined, and in/not_in', () => {
    const lbPolicy = envoyRegistry().getEnum('envoy.config.cluster.v3.Cluster.LbPolicy')!;
    const definedOnly = enumCheck(rulesOf('validate.EnumRules', { defined_only: true }), lbPolicy);

    expect(definedOnly(1)).toBeUndefined();
    expect(definedOnly(99)).toEqual(expect.objectContaining({ rule: 'enum.defined_only' }));
    expect(enumCheck(rulesOf('validate.EnumRules', { not_in: [0] }), lbPolicy)(0)).toEqual({
      rule: 'enum.not_in',
      message: 'value must not be in list [0]',
    });
  });
});
