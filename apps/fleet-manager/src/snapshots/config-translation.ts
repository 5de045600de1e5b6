import {
  type ConfigDocument,
  type JsonObject,
  XDS_RESOURCE_TYPES,
  type XdsResourceType,
} from '@envoy-fleet/domain';
import { decodeResource, parseResource, type ResourceKind } from '@envoy-fleet/xds';

/** The xDS resource kinds a config document holds, in the order Envoy wants them pushed. */
export const SNAPSHOT_KINDS = ['cluster', 'endpoint', 'listener', 'route', 'secret'] as const;
export type SnapshotKind = (typeof SNAPSHOT_KINDS)[number];

const KIND_OF_SECTION: { readonly [T in XdsResourceType]: SnapshotKind } = {
  listener: 'listener',
  route_config: 'route',
  cluster: 'cluster',
  endpoint: 'endpoint',
  secret: 'secret',
};

/** One resource as Envoy will receive it: its bytes, and their canonical JSON for the consistency checks. */
export interface TranslatedResource {
  readonly name: string;
  /** Proto3 JSON with proto field names, decoded back from `bytes`. */
  readonly json: JsonObject;
  readonly bytes: Uint8Array;
}

export type TranslatedResources = { readonly [K in SnapshotKind]: readonly TranslatedResource[] };

export type Translation =
  | { readonly ok: true; readonly resources: TranslatedResources }
  | { readonly ok: false; readonly issues: readonly string[] };

/** The api seals secret bodies under this key; fleet-manager does not hold the key to open them. */
const SEALED_SECRET_FIELD = '$encrypted';

/**
 * Turns a config version's document into Envoy v3 resources, checked against the Envoy API's
 * validate rules. Every problem of every resource is reported, not only the first.
 */
export function translateDocument(document: ConfigDocument): Translation {
  const issues: string[] = [];
  const resources: Record<SnapshotKind, TranslatedResource[]> = {
    cluster: [],
    endpoint: [],
    listener: [],
    route: [],
    secret: [],
  };
  for (const section of XDS_RESOURCE_TYPES) {
    const kind = KIND_OF_SECTION[section];
    for (const resource of document.resources[section]) {
      const where = `${section} "${resource.name}"`;
      if (Object.hasOwn(resource.body, SEALED_SECRET_FIELD)) {
        issues.push(`${where}: sealed secrets cannot be served yet (fleet-manager has no secret key)`);
        continue;
      }
      const parsed = parseResource(kind, resource.body);
      if (!parsed.ok) {
        issues.push(...parsed.issues.map((issue) => `${where}: ${issue.path || '(root)'}: ${issue.message}`));
        continue;
      }
      if (parsed.name !== resource.name) {
        issues.push(`${where}: the body names it "${parsed.name}"`);
        continue;
      }
      resources[kind].push({
        name: parsed.name,
        json: decodeResource(kind, parsed.bytes),
        bytes: parsed.bytes,
      });
    }
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, resources };
}

/** An empty ClusterLoadAssignment, for an EDS cluster the config gives no endpoints. */
export function emptyAssignment(clusterName: string): TranslatedResource {
  const kind: ResourceKind = 'endpoint';
  const parsed = parseResource(kind, { cluster_name: clusterName });
  if (!parsed.ok) {
    throw new Error(
      `cannot encode an empty ClusterLoadAssignment for "${clusterName}": ${parsed.issues[0]?.message}`,
    );
  }
  return { name: clusterName, json: { cluster_name: clusterName }, bytes: parsed.bytes };
}
