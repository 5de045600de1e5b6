import { type XdsTypeUrl } from '../xds/xds-types';

/**
 * How this simulated Envoy differs from a full Envoy build: extensions it "lacks" (by extension name,
 * message name or type URL), and forced rejections for rollout tests.
 */
export interface RejectPolicy {
  readonly missingExtensions: readonly string[];
  /** Reject every update of these types. */
  readonly rejectAllOf: readonly XdsTypeUrl[];
  /** Reject resources whose name matches. */
  readonly rejectNames?: RegExp;
}

export const NO_REJECTIONS: RejectPolicy = { missingExtensions: [], rejectAllOf: [] };

export function lacksExtension(policy: RejectPolicy, name: string, type: string): boolean {
  return policy.missingExtensions.some(
    (missing) => missing === name || missing === type || missing === `type.googleapis.com/${type}`,
  );
}
