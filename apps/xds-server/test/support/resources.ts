import type { DeltaDiscoveryResponse, DiscoveryResponse } from '@envoy-fleet/proto/xds';
import { decodeResource, kindOf, nameFieldOf } from '@envoy-fleet/xds';

/** The names of the resources a response carries, read from the resources themselves. */
export function namesOf(response: DiscoveryResponse): string[] {
  return response.resources.map((any) => nameOfResource(any.typeUrl, any.value));
}

export function deltaNamesOf(response: DeltaDiscoveryResponse): string[] {
  return response.resources.map((resource) => resource.name);
}

export function nameOfResource(typeUrl: string, bytes: Uint8Array): string {
  const kind = kindOf(typeUrl);
  if (kind === undefined) throw new Error(`not a resource type: ${typeUrl}`);
  const name = decodeResource(kind, bytes)[nameFieldOf(kind)];
  if (typeof name !== 'string') throw new Error(`a ${typeUrl} without a name`);
  return name;
}
