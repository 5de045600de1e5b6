import { createHash } from 'node:crypto';
import { contentHash } from './content-hash';

/**
 * The snapshot format shared by fleet-manager (writes it) and xds-server (reads it), ARCHITECTURE section 3.
 *
 * - `res:<sha256>`: one serialized Envoy resource (the message itself, not an `Any`); the hash is the
 *   sha256 of those bytes, in lowercase hex.
 * - `manifest:<sha256>`: the canonical JSON below (keys sorted at every level, no spaces); the hash is the
 *   sha256 of its UTF-8 bytes.
 *
 * ```json
 * {"format":1,"types":{"type.googleapis.com/envoy.config.cluster.v3.Cluster":
 *   {"resources":{"backend":"<sha256>"},"version":"<16 hex>"}}}
 * ```
 *
 * A type's `version` derives from its content only (see {@link typeVersionOf}), so two replicas, or one
 * replica before and after a restart, never give different content the same version. A type missing from
 * `types` has no resources and the version {@link EMPTY_TYPE_VERSION}. A type entry may carry `aliases`
 * (alias → resource name; VHDS resources are found by `<route configuration>/<host>`).
 */
export const MANIFEST_FORMAT = 1;

export interface ManifestType {
  readonly version: string;
  /** Resource name → sha256 of its bytes. */
  readonly resources: Readonly<Record<string, string>>;
  /** Alias → resource name, for types whose clients subscribe by alias. */
  readonly aliases?: Readonly<Record<string, string>>;
}

export interface SnapshotManifest {
  readonly format: typeof MANIFEST_FORMAT;
  /** Type URL → the type's resources. */
  readonly types: Readonly<Record<string, ManifestType>>;
}

/** Thrown when bytes stored as a manifest are not one; the message says what is wrong and where. */
export class ManifestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ManifestError';
  }
}

const SHA256_HEX = /^[0-9a-f]{64}$/;
const TYPE_URL = /^type\.googleapis\.com\/[A-Za-z_][A-Za-z0-9_.]*$/;
const TYPE_VERSION_LENGTH = 16;

/**
 * The version of a type: the first 16 hex digits of the sha256 over `name NUL hash LF` for every resource,
 * sorted by name, followed by `alias NUL name LF` (prefixed `@`) for every alias, sorted by alias.
 */
export function typeVersionOf(
  resources: Readonly<Record<string, string>>,
  aliases: Readonly<Record<string, string>> = {},
): string {
  const hash = createHash('sha256');
  for (const name of Object.keys(resources).sort()) hash.update(`${name}\0${resources[name]}\n`);
  for (const alias of Object.keys(aliases).sort()) hash.update(`@${alias}\0${aliases[alias]}\n`);
  return hash.digest('hex').slice(0, TYPE_VERSION_LENGTH);
}

/** The version of a type with no resources (also of a type the manifest does not list). */
export const EMPTY_TYPE_VERSION = typeVersionOf({});

/** The manifest's entry for a type, or an empty entry when the manifest has none. */
export function manifestTypeOf(manifest: SnapshotManifest, typeUrl: string): ManifestType {
  return manifest.types[typeUrl] ?? { version: EMPTY_TYPE_VERSION, resources: {} };
}

/** The canonical bytes of a manifest: JSON with sorted keys and no insignificant whitespace. */
export function encodeManifest(manifest: SnapshotManifest): Uint8Array {
  return Buffer.from(canonicalJson(manifest), 'utf8');
}

/**
 * Parses and validates stored manifest bytes. With `expectedHash`, also checks that the bytes are the
 * ones stored under that hash, so a corrupted or misfiled blob is never served.
 */
export function parseManifest(bytes: Uint8Array, expectedHash?: string): SnapshotManifest {
  const where = expectedHash === undefined ? 'manifest' : `manifest ${expectedHash}`;
  if (expectedHash !== undefined) {
    const actual = contentHash(bytes);
    if (actual !== expectedHash) throw new ManifestError(`${where}: its bytes hash to ${actual}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch (error) {
    throw new ManifestError(`${where}: not JSON (${(error as Error).message})`);
  }
  if (!isRecord(parsed)) throw new ManifestError(`${where}: expected a JSON object`);
  if (parsed.format !== MANIFEST_FORMAT) {
    throw new ManifestError(
      `${where}: format ${JSON.stringify(parsed.format)} is not supported (expected ${MANIFEST_FORMAT})`,
    );
  }
  if (!isRecord(parsed.types)) throw new ManifestError(`${where}: "types" must be an object`);
  const types: Record<string, ManifestType> = {};
  for (const [typeUrl, entry] of Object.entries(parsed.types)) {
    types[typeUrl] = parseType(`${where}: types["${typeUrl}"]`, typeUrl, entry);
  }
  return { format: MANIFEST_FORMAT, types };
}

function parseType(where: string, typeUrl: string, entry: unknown): ManifestType {
  if (!TYPE_URL.test(typeUrl)) throw new ManifestError(`${where}: not a type URL`);
  if (!isRecord(entry)) throw new ManifestError(`${where}: expected an object`);
  const resources = stringRecord(`${where}.resources`, entry.resources);
  for (const [name, hash] of Object.entries(resources)) {
    if (name === '') throw new ManifestError(`${where}.resources: a resource has an empty name`);
    if (!SHA256_HEX.test(hash)) {
      throw new ManifestError(
        `${where}.resources["${name}"]: "${hash}" is not a lowercase sha256 hex digest`,
      );
    }
  }
  const aliases = entry.aliases === undefined ? undefined : stringRecord(`${where}.aliases`, entry.aliases);
  for (const [alias, name] of Object.entries(aliases ?? {})) {
    if (!Object.hasOwn(resources, name)) {
      throw new ManifestError(
        `${where}.aliases["${alias}"]: names "${name}", which is not a resource of the type`,
      );
    }
  }
  const expectedVersion = typeVersionOf(resources, aliases);
  if (entry.version !== expectedVersion) {
    throw new ManifestError(
      `${where}.version: ${JSON.stringify(entry.version)} does not match its content (expected "${expectedVersion}")`,
    );
  }
  return aliases === undefined
    ? { version: expectedVersion, resources }
    : { version: expectedVersion, resources, aliases };
}

function stringRecord(where: string, value: unknown): Record<string, string> {
  if (!isRecord(value)) throw new ManifestError(`${where}: expected an object`);
  const result: Record<string, string> = {};
  for (const [key, item] of Object.entries(value)) {
    if (typeof item !== 'string') throw new ManifestError(`${where}["${key}"]: expected a string`);
    result[key] = item;
  }
  return result;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isRecord(value)) {
    const members = Object.keys(value)
      .filter((key) => value[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value);
}
