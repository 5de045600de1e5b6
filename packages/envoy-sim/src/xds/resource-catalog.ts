import { type JsonObject } from '@bufbuild/protobuf';
import { contentHash, decodeResource, type ResourceIssue, parseResourceBytes } from '@envoy-fleet/xds';
import {
  type ClusterFacts,
  clusterFacts,
  type ExtensionUse,
  extensionUses,
  type ListenerFacts,
  listenerFacts,
  type RouteConfigurationFacts,
  routeConfigurationFacts,
} from './resource-references';
import { CLUSTER_TYPE, LISTENER_TYPE, ROUTE_TYPE, type XdsTypeUrl } from './xds-types';

/**
 * A resource decoded and validated once, shared by every simulated Envoy that receives the same bytes:
 * a fleet of thousands holding one config costs one decode and one copy. Only what the checks need is
 * kept; the JSON for `/config_dump` is decoded again on demand.
 */
export interface DecodedResource {
  readonly typeUrl: XdsTypeUrl;
  readonly name: string;
  /** sha256 of the bytes, hex. */
  readonly hash: string;
  readonly bytes: Uint8Array;
  readonly extensions: readonly ExtensionUse[];
  readonly listener?: ListenerFacts;
  readonly cluster?: ClusterFacts;
  readonly routes?: RouteConfigurationFacts;
}

export interface DecodeFailure {
  readonly typeUrl: string;
  /** Envoy-like: `Proto constraint validation failed (port_value: must be <= 65535)`. */
  readonly message: string;
}

export type DecodeResult =
  { readonly ok: true; readonly resource: DecodedResource } | ({ readonly ok: false } & DecodeFailure);

function describeIssues(issues: readonly ResourceIssue[]): string {
  return issues.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message)).join('; ');
}

function decode(typeUrl: XdsTypeUrl, bytes: Uint8Array, hash: string): DecodeResult {
  const parsed = parseResourceBytes(typeUrl, bytes);
  if (!parsed.ok) {
    return {
      ok: false,
      typeUrl,
      message: `Proto constraint validation failed (${describeIssues(parsed.issues)})`,
    };
  }
  let json: JsonObject;
  try {
    json = decodeResource(typeUrl, bytes);
  } catch (error) {
    // An Any whose type the Envoy API does not define cannot be unpacked.
    return {
      ok: false,
      typeUrl,
      message: `Unable to unpack as ${parsed.name || typeUrl}: ${(error as Error).message}`,
    };
  }
  return {
    ok: true,
    resource: {
      typeUrl,
      name: parsed.name,
      hash,
      bytes,
      extensions: extensionUses(json),
      listener: typeUrl === LISTENER_TYPE ? listenerFacts(json) : undefined,
      cluster: typeUrl === CLUSTER_TYPE ? clusterFacts(json) : undefined,
      routes: typeUrl === ROUTE_TYPE ? routeConfigurationFacts(json) : undefined,
    },
  };
}

/**
 * A bounded, least-recently-used cache of decode results keyed by type URL and the bytes themselves (as a
 * latin1 string: an exact match that costs no cryptographic hash per lookup; the content hash is computed
 * once, on a miss).
 */
export class ResourceCatalog {
  private readonly entries = new Map<string, DecodeResult>();

  constructor(private readonly capacity = 8192) {}

  decode(typeUrl: XdsTypeUrl, bytes: Uint8Array): DecodeResult {
    const key = `${typeUrl} ${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1')}`;
    const cached = this.entries.get(key);
    if (cached) {
      this.entries.delete(key);
      this.entries.set(key, cached);
      return cached;
    }
    const result = decode(typeUrl, Uint8Array.from(bytes), contentHash(bytes));
    this.entries.set(key, result);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    return result;
  }

  get size(): number {
    return this.entries.size;
  }
}

/** The resource as proto3 JSON with proto field names, as `/config_dump` shows it. */
export function resourceJson(resource: DecodedResource): JsonObject {
  return decodeResource(resource.typeUrl, resource.bytes);
}

/** One catalog per process: simulated Envoys in one process share decoded resources. */
export const sharedCatalog = new ResourceCatalog();
