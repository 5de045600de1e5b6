import stableStringify from 'fast-json-stable-stringify';
import { type ValidationIssue } from '../errors/domain.error';
import { XDS_RESOURCE_TYPES, type XdsResourceType } from '../entities/xds-resource.entity';
import { type JsonObject } from './json.value';
import { type Labels, validateLabels } from './labels.value';

/** A resource as it appears inside a config document. */
export interface ConfigDocumentResource {
  readonly name: string;
  readonly labels: Labels;
  readonly body: JsonObject;
}

/**
 * The content of one config version (the `ProxyConfig` of seed 001 6.3): every resource of the
 * config, grouped by type. Stored whole in `config_versions.document`; the version's content hash
 * is computed over `configDocumentHashInput`.
 */
export interface ConfigDocument {
  readonly resources: { readonly [T in XdsResourceType]: readonly ConfigDocumentResource[] };
}

export const MAX_RESOURCE_NAME_LENGTH = 255;

export function emptyConfigDocument(): ConfigDocument {
  return { resources: { listener: [], route_config: [], cluster: [], endpoint: [], secret: [] } };
}

/** Names must be non-empty, short enough for Envoy's stats, and unique within their type. */
export function validateConfigDocument(document: ConfigDocument): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const type of XDS_RESOURCE_TYPES) {
    const seen = new Set<string>();
    document.resources[type].forEach((resource, index) => {
      const path = `resources.${type}[${index}]`;
      if (resource.name.length === 0 || resource.name.length > MAX_RESOURCE_NAME_LENGTH) {
        issues.push({ path: `${path}.name`, message: `must be 1-${MAX_RESOURCE_NAME_LENGTH} characters` });
      } else if (seen.has(resource.name)) {
        issues.push({ path: `${path}.name`, message: `duplicate ${type} name "${resource.name}"` });
      }
      seen.add(resource.name);
      issues.push(...validateLabels(resource.labels, `${path}.labels`));
    });
  }
  return issues;
}

/**
 * The exact string a config version's content hash (SHA-256) is computed over: resources sorted by
 * name within their type and every object's keys sorted (RFC 8785 ordering), no whitespace. Two
 * documents with the same content therefore hash the same whatever order they were written in.
 */
export function configDocumentHashInput(document: ConfigDocument): string {
  const byName = (a: ConfigDocumentResource, b: ConfigDocumentResource): number =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  const resources = Object.fromEntries(
    XDS_RESOURCE_TYPES.map((type) => [type, [...document.resources[type]].sort(byName)]),
  );
  return canonicalJson({ resources });
}

/** Deterministic JSON: object keys sorted, no whitespace. */
export function canonicalJson(value: unknown): string {
  return stableStringify(value);
}
