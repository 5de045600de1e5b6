import {
  type Any,
  type DeltaDiscoveryResponse,
  type DiscoveryResponse,
  Resource,
} from '@envoy-fleet/proto/xds';
import { type IncomingResource } from '../config/config-store';
import { type ResourceCatalog } from '../xds/resource-catalog';
import { type XdsTypeUrl } from '../xds/xds-types';

const RESOURCE_WRAPPER_TYPE = 'type.googleapis.com/envoy.service.discovery.v3.Resource';

/** A response Envoy refuses as a whole, before applying any of it; the message is Envoy's. */
export class ResponseError extends Error {}

function decodeAll(
  typeUrl: XdsTypeUrl,
  items: readonly { version: string; any: Any }[],
  catalog: ResourceCatalog,
): IncomingResource[] {
  return items.map((item) => {
    if (item.any.typeUrl !== typeUrl) {
      throw new ResponseError(
        `${item.any.typeUrl} does not match the message-wide type URL ${typeUrl} in DiscoveryResponse`,
      );
    }
    const decoded = catalog.decode(typeUrl, item.any.value);
    if (!decoded.ok) throw new ResponseError(decoded.message);
    return { name: decoded.resource.name, version: item.version, resource: decoded.resource };
  });
}

/** What {@link sotwResources} found in a response, for the sims that share the decoded message. */
const resourcesOfResponses = new WeakMap<
  DiscoveryResponse,
  { readonly typeUrl: XdsTypeUrl; readonly catalog: ResourceCatalog; readonly resources: IncomingResource[] }
>();

/**
 * A SotW response's resources, `Resource` wrappers unwrapped and TTL heartbeats (wrappers without a
 * resource) skipped. Worked out once per response object (sims share decoded messages); not to be changed.
 */
export function sotwResources(
  response: DiscoveryResponse,
  typeUrl: XdsTypeUrl,
  catalog: ResourceCatalog,
): readonly IncomingResource[] {
  const known = resourcesOfResponses.get(response);
  if (known !== undefined && known.typeUrl === typeUrl && known.catalog === catalog) return known.resources;
  const resources = decodedSotwResources(response, typeUrl, catalog);
  resourcesOfResponses.set(response, { typeUrl, catalog, resources });
  return resources;
}

function decodedSotwResources(
  response: DiscoveryResponse,
  typeUrl: XdsTypeUrl,
  catalog: ResourceCatalog,
): IncomingResource[] {
  const items = response.resources.flatMap((any) => {
    if (any.typeUrl !== RESOURCE_WRAPPER_TYPE) return [{ version: response.versionInfo, any }];
    const wrapper = Resource.decode(any.value);
    return wrapper.resource ? [{ version: response.versionInfo, any: wrapper.resource }] : [];
  });
  return decodeAll(typeUrl, items, catalog);
}

/**
 * A delta response's resources with their own versions, after Envoy's DeltaSubscriptionState checks:
 * no name twice among added or added+removed; a resource without body at the version held is a heartbeat.
 */
export function deltaResources(
  response: DeltaDiscoveryResponse,
  typeUrl: XdsTypeUrl,
  held: ReadonlyMap<string, string>,
  catalog: ResourceCatalog,
): IncomingResource[] {
  const names = new Set<string>();
  const items: { version: string; any: Any }[] = [];
  for (const resource of response.resources) {
    if (names.has(resource.name))
      throw new ResponseError(`duplicate name ${resource.name} found among added/updated resources`);
    names.add(resource.name);
    if (!resource.resource && held.get(resource.name) === resource.version) continue;
    if (resource.resource) items.push({ version: resource.version, any: resource.resource });
  }
  for (const name of response.removedResources) {
    if (names.has(name))
      throw new ResponseError(`duplicate name ${name} found in the union of added+removed resources`);
    names.add(name);
  }
  return decodeAll(typeUrl, items, catalog);
}
