import { createHash } from 'node:crypto';
import {
  type ConfigDocument,
  type JsonObject,
  XDS_RESOURCE_TYPES,
  type XdsResourceType,
} from '@envoy-fleet/domain';
import { contentHash, decodeResource, parseResource } from '@envoy-fleet/xds';
import { type TranslationCache } from './translation-cache';

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

/** One resource as Envoy will receive it: its bytes, their sha256, and their canonical JSON. */
export class TranslatedResource {
  private decoded: JsonObject | undefined;

  constructor(
    readonly kind: SnapshotKind,
    readonly name: string,
    readonly bytes: Uint8Array,
    /** sha256 of `bytes` (its `res:` key). */
    readonly hash: string = contentHash(bytes),
  ) {}

  /**
   * Proto3 JSON with proto field names, decoded back from `bytes` the first time it is read: the
   * consistency checks read listeners, routes and clusters, never the (large) endpoint assignments.
   */
  get json(): JsonObject {
    this.decoded ??= decodeResource(this.kind, this.bytes);
    return this.decoded;
  }
}

export type TranslatedResources = { readonly [K in SnapshotKind]: readonly TranslatedResource[] };

export type Translation =
  | { readonly ok: true; readonly resources: TranslatedResources }
  | { readonly ok: false; readonly issues: readonly string[] };

/** What one resource body translates to, whatever it is named in the document. */
export type BodyTranslation =
  | { readonly ok: true; readonly resource: TranslatedResource }
  | { readonly ok: false; readonly issues: readonly string[] };

/** One resource of a config: where it sits, and the key its body's translation is cached under. */
export interface ResourceEntry {
  readonly section: XdsResourceType;
  readonly name: string;
  /** Names the section and the body's content (sha256 based); equal keys mean equal translations. */
  readonly contentKey: string;
}

/** Reads the bodies of a config's resources that the cache does not hold, by content key. */
export type BodyReader = (contentKeys: readonly string[]) => Promise<ReadonlyMap<string, JsonObject>>;

/** The api seals secret bodies under this key; fleet-manager does not hold the key to open them. */
const SEALED_SECRET_FIELD = '$encrypted';

/**
 * The content key of a body held in memory: its section and the sha256 of its JSON text. Key order
 * counts, so equal bodies written in another order only miss the cache.
 */
export function contentKeyOfBody(section: XdsResourceType, body: JsonObject): string {
  return `${section}:json:${createHash('sha256').update(JSON.stringify(body)).digest('hex')}`;
}

/** Encodes one body, checked against the Envoy API's validate rules; issues are `path: message`. */
export function translateBody(section: XdsResourceType, body: JsonObject): BodyTranslation {
  if (Object.hasOwn(body, SEALED_SECRET_FIELD)) {
    return { ok: false, issues: ['sealed secrets cannot be served yet (fleet-manager has no secret key)'] };
  }
  const kind = KIND_OF_SECTION[section];
  const parsed = parseResource(kind, body);
  if (!parsed.ok) {
    return { ok: false, issues: parsed.issues.map((issue) => `${issue.path || '(root)'}: ${issue.message}`) };
  }
  return { ok: true, resource: new TranslatedResource(kind, parsed.name, parsed.bytes) };
}

/**
 * Turns a config's resources into Envoy v3 resources, checked against the Envoy API's validate rules.
 * Only bodies the cache does not hold are read (`readBodies`) and encoded, so a change to one resource
 * of a large config encodes that resource alone. Every problem of every resource is reported.
 */
export async function translateEntries(
  entries: readonly ResourceEntry[],
  cache: TranslationCache,
  readBodies: BodyReader,
): Promise<Translation> {
  // Hits are taken first, so translating the missing bodies cannot evict one this build still needs.
  const translations = new Map<string, BodyTranslation>();
  const sectionOf = new Map(entries.map((entry) => [entry.contentKey, entry.section]));
  for (const key of sectionOf.keys()) {
    const cached = cache.get(key);
    if (cached !== undefined) translations.set(key, cached);
  }
  const missing = [...sectionOf].filter(([key]) => !translations.has(key));
  if (missing.length > 0) {
    const bodies = await readBodies(missing.map(([key]) => key));
    for (const [key, section] of missing) {
      const body = bodies.get(key);
      if (body === undefined) throw new Error(`the body of a ${section} (${key}) was not read`);
      translations.set(
        key,
        cache.translate(key, () => translateBody(section, body)),
      );
    }
  }
  const issues: string[] = [];
  const resources: Record<SnapshotKind, TranslatedResource[]> = {
    cluster: [],
    endpoint: [],
    listener: [],
    route: [],
    secret: [],
  };
  for (const section of XDS_RESOURCE_TYPES) {
    for (const entry of entries) {
      if (entry.section !== section) continue;
      const where = `${section} "${entry.name}"`;
      const translation = translations.get(entry.contentKey);
      if (translation === undefined) throw new Error(`${where} (${entry.contentKey}) was not translated`);
      if (!translation.ok) {
        issues.push(...translation.issues.map((issue) => `${where}: ${issue}`));
      } else if (translation.resource.name !== entry.name) {
        issues.push(`${where}: the body names it "${translation.resource.name}"`);
      } else {
        resources[translation.resource.kind].push(translation.resource);
      }
    }
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, resources };
}

/** {@link translateEntries} for a document held in memory (rendered from a template, or inherited). */
export function translateDocument(document: ConfigDocument, cache: TranslationCache): Promise<Translation> {
  const bodies = new Map<string, JsonObject>();
  const entries = XDS_RESOURCE_TYPES.flatMap((section) =>
    document.resources[section].map(({ name, body }) => {
      const contentKey = contentKeyOfBody(section, body);
      bodies.set(contentKey, body);
      return { section, name, contentKey };
    }),
  );
  return translateEntries(entries, cache, () => Promise.resolve(bodies));
}

/** An empty ClusterLoadAssignment, for an EDS cluster the config gives no endpoints. */
export function emptyAssignment(clusterName: string): TranslatedResource {
  const parsed = parseResource('endpoint', { cluster_name: clusterName });
  if (!parsed.ok) {
    throw new Error(
      `cannot encode an empty ClusterLoadAssignment for "${clusterName}": ${parsed.issues[0]?.message}`,
    );
  }
  return new TranslatedResource('endpoint', clusterName, parsed.bytes);
}
