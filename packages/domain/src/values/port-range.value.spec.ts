import { DomainError } from '../errors/domain.error';
import {
  DEFAULT_ADMIN_PORT_RANGE,
  DEFAULT_PROXY_PORT_RANGE,
  lowestFreePort,
  portRange,
  portRangeContains,
  portRangeSize,
  portRangesOverlap,
  validatePortRange,
} from './port-range.value';

describe(portRange.name, () => {
  it('builds a valid range', () => {
    expect(portRange(10_000, 10_009)).toEqual({ start: 10_000, end: 10_009 });
    expect(portRangeSize(portRange(80, 80))).toBe(1);
  });

  it('fails with VALIDATION_FAILED naming the bad bound', () => {
    const attempt = (): unknown => portRange(0, 70_000);
    expect(attempt).toThrow(DomainError);
    expect(attempt).toThrow(
      'port range is invalid: portRange.start: must be an integer port in 1-65535; portRange.end: must be an integer port in 1-65535',
    );
  });

  it('rejects reversed and fractional bounds', () => {
    expect(validatePortRange({ start: 20, end: 10 })).toEqual([
      { path: 'portRange', message: 'start 20 is greater than end 10' },
    ]);
    expect(validatePortRange({ start: 1.5, end: 10 }, 'proxyPorts')).toEqual([
      { path: 'proxyPorts.start', message: 'must be an integer port in 1-65535' },
    ]);
  });
});

describe(portRangeContains.name, () => {
  it('includes both bounds', () => {
    const range = portRange(100, 200);
    expect([99, 100, 200, 201].map((port) => portRangeContains(range, port))).toEqual([
      false,
      true,
      true,
      false,
    ]);
  });
});

describe(portRangesOverlap.name, () => {
  it('keeps the default proxy and admin ranges apart', () => {
    expect(portRangesOverlap(DEFAULT_PROXY_PORT_RANGE, DEFAULT_ADMIN_PORT_RANGE)).toBe(false);
    expect(portRangesOverlap(portRange(1, 10), portRange(10, 20))).toBe(true);
  });
});

describe(lowestFreePort.name, () => {
  it('returns the first gap, or null when the range is full', () => {
    const range = portRange(10_000, 10_002);
    expect(lowestFreePort(range, new Set([10_000, 10_002]))).toBe(10_001);
    expect(lowestFreePort(range, new Set([10_000, 10_001, 10_002]))).toBeNull();
  });
});
