import {
  encodeManifest,
  MANIFEST_FORMAT,
  type ManifestType,
  ManifestError,
  type SnapshotManifest,
  typeVersionOf,
} from './manifest';
import { contentHash } from './content-hash';
import { type ResourceType, toTypeUrl } from './type-urls';

/** One encoded resource going into a snapshot. */
export interface SnapshotResource {
  readonly name: string;
  /** The serialized Envoy message (not wrapped in `Any`). */
  readonly bytes: Uint8Array;
  /** The sha256 of `bytes` when the caller has it already (trusted, not computed again). */
  readonly hash?: string;
  /** Other names clients may subscribe to it by (delta xDS; VHDS uses `<route configuration>/<host>`). */
  readonly aliases?: readonly string[];
}

/** Resources by kind (`cluster`) or type URL; a type given with an empty list is listed, empty. */
export type SnapshotResources = Readonly<Partial<Record<ResourceType, readonly SnapshotResource[]>>>;

export interface BuiltSnapshot {
  readonly manifest: SnapshotManifest;
  /** The canonical encoding stored as `manifest:<manifestHash>`. */
  readonly manifestBytes: Uint8Array;
  readonly manifestHash: string;
  /** Resource bytes by sha256, to store as `res:<hash>` (resources with equal bytes share one blob). */
  readonly blobs: ReadonlyMap<string, Uint8Array>;
}

/** Hashes every resource and assembles the manifest; pure, so fleet-manager and tests build alike. */
export function buildSnapshot(resources: SnapshotResources): BuiltSnapshot {
  const blobs = new Map<string, Uint8Array>();
  const types: Record<string, ManifestType> = {};
  for (const [type, list] of Object.entries(resources)) {
    if (list === undefined) continue;
    const typeUrl = toTypeUrl(type);
    if (Object.hasOwn(types, typeUrl)) {
      throw new ManifestError(`${typeUrl} is given twice (once by kind, once by type URL)`);
    }
    const byName: Record<string, string> = {};
    const aliases: Record<string, string> = {};
    for (const resource of list) {
      if (resource.name === '') throw new ManifestError(`${typeUrl}: a resource has an empty name`);
      if (Object.hasOwn(byName, resource.name)) {
        throw new ManifestError(`${typeUrl}: the name "${resource.name}" is used by two resources`);
      }
      const hash = resource.hash ?? contentHash(resource.bytes);
      byName[resource.name] = hash;
      blobs.set(hash, resource.bytes);
      for (const alias of resource.aliases ?? []) {
        if (Object.hasOwn(aliases, alias)) {
          throw new ManifestError(`${typeUrl}: the alias "${alias}" of "${resource.name}" is already taken`);
        }
        aliases[alias] = resource.name;
      }
    }
    const hasAliases = Object.keys(aliases).length > 0;
    types[typeUrl] = hasAliases
      ? { version: typeVersionOf(byName, aliases), resources: byName, aliases }
      : { version: typeVersionOf(byName), resources: byName };
  }
  for (const [typeUrl, entry] of Object.entries(types)) {
    for (const alias of Object.keys(entry.aliases ?? {})) {
      if (Object.hasOwn(entry.resources, alias)) {
        throw new ManifestError(`${typeUrl}: the alias "${alias}" is also the name of a resource`);
      }
    }
  }
  const manifest: SnapshotManifest = { format: MANIFEST_FORMAT, types };
  const manifestBytes = encodeManifest(manifest);
  return { manifest, manifestBytes, manifestHash: contentHash(manifestBytes), blobs };
}
