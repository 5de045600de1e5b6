import { DomainError, type ValidationIssue } from '../errors/domain.error';

export const MIN_PORT = 1;
export const MAX_PORT = 65_535;

/** An inclusive range of TCP ports, `start <= end`. */
export interface PortRange {
  readonly start: number;
  readonly end: number;
}

/** Seed 000 3.2.3: Envoy listener ports and admin ports come from separate ranges on each VM. */
export const DEFAULT_PROXY_PORT_RANGE: PortRange = { start: 10_000, end: 19_999 };
export const DEFAULT_ADMIN_PORT_RANGE: PortRange = { start: 20_000, end: 29_999 };

export function isValidPort(port: number): boolean {
  return Number.isInteger(port) && port >= MIN_PORT && port <= MAX_PORT;
}

export function validatePortRange(range: PortRange, path = 'portRange'): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (!isValidPort(range.start))
    issues.push({ path: `${path}.start`, message: `must be an integer port in ${MIN_PORT}-${MAX_PORT}` });
  if (!isValidPort(range.end))
    issues.push({ path: `${path}.end`, message: `must be an integer port in ${MIN_PORT}-${MAX_PORT}` });
  if (issues.length === 0 && range.start > range.end) {
    issues.push({ path, message: `start ${range.start} is greater than end ${range.end}` });
  }
  return issues;
}

/** Builds a range, failing with VALIDATION_FAILED when the bounds are not ports or are reversed. */
export function portRange(start: number, end: number): PortRange {
  const range = { start, end };
  DomainError.assertValid('port range', validatePortRange(range));
  return range;
}

export function portRangeSize(range: PortRange): number {
  return range.end - range.start + 1;
}

export function portRangeContains(range: PortRange, port: number): boolean {
  return Number.isInteger(port) && port >= range.start && port <= range.end;
}

export function portRangesOverlap(a: PortRange, b: PortRange): boolean {
  return a.start <= b.end && b.start <= a.end;
}

/** The lowest port of `range` that is not in `taken`, or null when the range is exhausted. */
export function lowestFreePort(range: PortRange, taken: ReadonlySet<number>): number | null {
  for (let port = range.start; port <= range.end; port += 1) {
    if (!taken.has(port)) return port;
  }
  return null;
}
