import { LRUCache } from 'lru-cache';
import type { DeltaResponse } from '../protocol/delta-stream';
import { EMPTY_CLUSTER_LOAD_ASSIGNMENT, type ResponseResource } from '../protocol/snapshot-view';
import type { SotwResponse } from '../protocol/sotw-stream';
import { appendStringField, bytesField, optionalStringField, stringField } from './wire';

/** Field numbers of the messages assembled here (envoy/service/discovery/v3/discovery.proto). */
const DISCOVERY_RESPONSE = { versionInfo: 1, resources: 2, typeUrl: 4, nonce: 5, controlPlane: 6 } as const;
const DELTA_RESPONSE = {
  systemVersionInfo: 1,
  resources: 2,
  typeUrl: 4,
  nonce: 5,
  removedResources: 6,
  controlPlane: 7,
};
const RESOURCE = { version: 1, resource: 2, name: 3, aliases: 4 } as const;
const ANY = { typeUrl: 1, value: 2 } as const;
const CONTROL_PLANE_IDENTIFIER = 1;
const CLUSTER_LOAD_ASSIGNMENT_CLUSTER_NAME = 1;

/** Where the bytes of the resources a response names are found. */
export interface ResourceBytes {
  bytesOf(hash: string): Uint8Array | undefined;
}

export interface ResponseEncoderOptions {
  /** Sent as `control_plane.identifier` in every response (which replica answered). */
  readonly controlPlaneId: string;
  /** Bytes of pre-encoded response parts kept for reuse across streams. */
  readonly maxCachedBytes: number;
}

/**
 * Builds discovery responses as bytes from parts encoded once and shared by every stream that sends them:
 * the `Any` of each resource (per type and hash), the whole body of a SotW response (per type, version and
 * resource set), the `Resource` entry of each delta resource (per type and hash). Only the nonce (and for
 * delta the removed names) is encoded per stream, and a SotW message with its nonce is shared too by the
 * streams whose nonce counters stand at the same value. No resource is ever decoded or re-encoded here.
 */
export class ResponseEncoder {
  private readonly parts: LRUCache<string, Buffer>;
  private readonly controlPlane: Buffer;
  private readonly joinedNames = new WeakMap<readonly ResponseResource[], string>();

  constructor(options: ResponseEncoderOptions) {
    this.parts = new LRUCache<string, Buffer>({
      maxSize: options.maxCachedBytes,
      sizeCalculation: (bytes) => Math.max(1, bytes.byteLength),
    });
    this.controlPlane = stringField(CONTROL_PLANE_IDENTIFIER, options.controlPlaneId);
  }

  /** A serialized DiscoveryResponse. */
  sotw(response: SotwResponse, snapshot: ResourceBytes): Buffer {
    const key = `sotw\0${response.typeUrl}\0${response.version}\0${response.complete ? '*' : this.namesOf(response.resources)}`;
    // Nonces count per stream, so streams served alike reach the same nonce: they share the whole message.
    return this.cached(`${key}\0${response.nonce}`, () => {
      const body = this.cached(key, () =>
        Buffer.concat([
          optionalStringField(DISCOVERY_RESPONSE.versionInfo, response.version),
          ...response.resources.map((resource) =>
            bytesField(DISCOVERY_RESPONSE.resources, this.anyOf(response.typeUrl, resource, snapshot)),
          ),
          stringField(DISCOVERY_RESPONSE.typeUrl, response.typeUrl),
          bytesField(DISCOVERY_RESPONSE.controlPlane, this.controlPlane),
        ]),
      );
      return appendStringField(body, DISCOVERY_RESPONSE.nonce, response.nonce);
    });
  }

  /** The names of a resource list, joined once per list (streams on one selection share the list). */
  private namesOf(resources: readonly ResponseResource[]): string {
    let names = this.joinedNames.get(resources);
    if (names === undefined) {
      names = resources.map((resource) => resource.name).join('\0');
      this.joinedNames.set(resources, names);
    }
    return names;
  }

  /** A serialized DeltaDiscoveryResponse. */
  delta(response: DeltaResponse, snapshot: ResourceBytes): Buffer {
    return Buffer.concat([
      optionalStringField(DELTA_RESPONSE.systemVersionInfo, response.systemVersion),
      ...response.resources.map((resource) => this.deltaEntryOf(response.typeUrl, resource, snapshot)),
      stringField(DELTA_RESPONSE.typeUrl, response.typeUrl),
      ...response.removed.map((name) => stringField(DELTA_RESPONSE.removedResources, name)),
      stringField(DELTA_RESPONSE.nonce, response.nonce),
      bytesField(DELTA_RESPONSE.controlPlane, this.controlPlane),
    ]);
  }

  /** `resources` entry of a DeltaDiscoveryResponse: a Resource with name, version (the hash) and Any. */
  private deltaEntryOf(typeUrl: string, resource: ResponseResource, snapshot: ResourceBytes): Buffer {
    const build = () =>
      bytesField(
        DELTA_RESPONSE.resources,
        Buffer.concat([
          stringField(RESOURCE.version, resource.hash),
          bytesField(RESOURCE.resource, this.anyOf(typeUrl, resource, snapshot)),
          stringField(RESOURCE.name, resource.name),
          ...(resource.aliases ?? []).map((alias) => stringField(RESOURCE.aliases, alias)),
        ]),
      );
    // Entries with aliases depend on what one client subscribed by: built for that response only.
    if (resource.aliases !== undefined && resource.aliases.length > 0) return build();
    return this.cached(`delta\0${typeUrl}\0${resource.hash}\0${resource.name}`, build);
  }

  /** An `Any` holding the resource's stored bytes. */
  private anyOf(typeUrl: string, resource: ResponseResource, snapshot: ResourceBytes): Buffer {
    if (resource.hash === EMPTY_CLUSTER_LOAD_ASSIGNMENT) {
      return this.cached(`empty\0${resource.name}`, () =>
        Buffer.concat([
          stringField(ANY.typeUrl, typeUrl),
          bytesField(ANY.value, stringField(CLUSTER_LOAD_ASSIGNMENT_CLUSTER_NAME, resource.name)),
        ]),
      );
    }
    return this.cached(`any\0${typeUrl}\0${resource.hash}`, () => {
      const bytes = snapshot.bytesOf(resource.hash);
      if (bytes === undefined) {
        throw new Error(
          `the bytes of ${typeUrl} "${resource.name}" (res:${resource.hash}) are not in the snapshot`,
        );
      }
      return Buffer.concat([stringField(ANY.typeUrl, typeUrl), bytesField(ANY.value, bytes)]);
    });
  }

  private cached(key: string, build: () => Buffer): Buffer {
    let part = this.parts.get(key);
    if (part === undefined) {
      part = build();
      this.parts.set(key, part);
    }
    return part;
  }
}
