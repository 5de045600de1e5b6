import { XDS_RESOURCE_TYPES, type XdsResourceType } from '@envoy-fleet/domain';

export interface DriftedType {
  readonly resourceType: XdsResourceType;
  readonly ackedVersion: string;
  readonly expectedVersion: string;
}

export type VersionsByType = Partial<Readonly<Record<XdsResourceType, string>>>;

/**
 * The types whose last ACKed version is not the one the proxy's current snapshot holds. Only types the
 * proxy has ACKed at least once count: Envoy subscribes to a type only when its config uses it (SDS, for
 * one), and a proxy that has not ACKed anything yet is still starting, not drifting.
 */
export function driftedTypes(acked: VersionsByType, expected: VersionsByType): DriftedType[] {
  return XDS_RESOURCE_TYPES.flatMap((resourceType) => {
    const ackedVersion = acked[resourceType];
    const expectedVersion = expected[resourceType];
    return ackedVersion === undefined || expectedVersion === undefined || ackedVersion === expectedVersion
      ? []
      : [{ resourceType, ackedVersion, expectedVersion }];
  });
}

/** What the drift check last recorded of a proxy. */
export interface RecordedDrift {
  readonly types: readonly DriftedType[] | null;
  readonly observedAt: Date | null;
  readonly driftedAt: Date | null;
}

/**
 * The next record of a proxy and whether the change is announced: a difference is first observed, it
 * becomes drift once it has lasted longer than `thresholdMs` (announced), and it is cleared when the
 * versions agree again (announced when it had been drift). `unchanged` when nothing is to be written.
 */
export type DriftStep =
  | { readonly kind: 'unchanged' }
  | { readonly kind: 'record'; readonly next: RecordedDrift; readonly announce: boolean };

export function nextDrift(
  recorded: RecordedDrift,
  types: readonly DriftedType[],
  now: Date,
  thresholdMs: number,
): DriftStep {
  if (types.length === 0) {
    return recorded.observedAt === null
      ? { kind: 'unchanged' }
      : {
          kind: 'record',
          next: { types: null, observedAt: null, driftedAt: null },
          announce: recorded.driftedAt !== null,
        };
  }
  const observedAt = recorded.observedAt ?? now;
  const outlasted = now.getTime() - observedAt.getTime() > thresholdMs;
  const driftedAt = recorded.driftedAt ?? (outlasted ? now : null);
  const sameTypes = JSON.stringify(recorded.types) === JSON.stringify(types);
  if (sameTypes && observedAt === recorded.observedAt && driftedAt === recorded.driftedAt) {
    return { kind: 'unchanged' };
  }
  return {
    kind: 'record',
    next: { types, observedAt, driftedAt },
    announce: recorded.driftedAt === null && driftedAt !== null,
  };
}
