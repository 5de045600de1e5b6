import { type ConfigDocument, type JsonObject, type Labels, type XdsResourceType } from '@envoy-fleet/domain';
import type { ResourceKind } from '@envoy-fleet/xds';
import { z } from 'zod';
import { labelsSchema } from '../../http/request-schemas';

/** The sections of a ProxyConfig's `spec`, each holding Envoy v3 resources of one type in proto-JSON. */
export const SPEC_SECTIONS = ['listeners', 'routes', 'clusters', 'endpoints', 'secrets'] as const;
export type SpecSection = (typeof SPEC_SECTIONS)[number];

export const SECTION_TYPES: {
  readonly [S in SpecSection]: { readonly type: XdsResourceType; readonly kind: ResourceKind };
} = {
  listeners: { type: 'listener', kind: 'listener' },
  routes: { type: 'route_config', kind: 'route' },
  clusters: { type: 'cluster', kind: 'cluster' },
  endpoints: { type: 'endpoint', kind: 'endpoint' },
  secrets: { type: 'secret', kind: 'secret' },
};

export const CONFIG_NAME_PATTERN = /^[A-Za-z0-9]([A-Za-z0-9._-]{0,251}[A-Za-z0-9])?$/;

const resources = z
  .array(z.record(z.string(), z.json()).transform((resource): JsonObject => resource))
  .default([]);

/**
 * The `ProxyConfig` document of seed 001 6.3, in JSON or YAML. The envelope is checked here (400);
 * the resources themselves by the Envoy codec and the semantic rules (422).
 */
export const proxyConfigSchema = z.strictObject({
  apiVersion: z.literal('v1'),
  kind: z.literal('ProxyConfig'),
  metadata: z.strictObject({
    name: z
      .string()
      .regex(
        CONFIG_NAME_PATTERN,
        'must be 1-253 letters, digits, ".", "_" or "-", starting and ending with a letter or digit',
      ),
    description: z.string().max(2000).default(''),
    labels: labelsSchema.default({}),
  }),
  spec: z
    .strictObject({
      listeners: resources,
      routes: resources,
      clusters: resources,
      endpoints: resources,
      secrets: resources,
    })
    .default({ listeners: [], routes: [], clusters: [], endpoints: [], secrets: [] }),
});
export type ProxyConfig = z.output<typeof proxyConfigSchema>;

const resourcesView = z
  .array(z.record(z.string(), z.unknown()))
  .describe('Envoy v3 resources in canonical proto-JSON');

/** A ProxyConfig as the api returns it: canonical proto-JSON, secrets masked as `{name, "@masked": "sha256:..."}`. */
export const proxyConfigViewSchema = z.object({
  apiVersion: z.literal('v1'),
  kind: z.literal('ProxyConfig'),
  metadata: z.object({ name: z.string(), description: z.string(), labels: z.record(z.string(), z.string()) }),
  spec: z.object({
    listeners: resourcesView,
    routes: resourcesView,
    clusters: resourcesView,
    endpoints: resourcesView,
    secrets: resourcesView,
  }),
});

export interface ProxyConfigMetadata {
  readonly name: string;
  readonly description: string;
  readonly labels: Labels;
}

/** A stored document back in the ProxyConfig form clients write. */
export function toProxyConfig(metadata: ProxyConfigMetadata, document: ConfigDocument): ProxyConfig {
  const section = (name: SpecSection): JsonObject[] =>
    document.resources[SECTION_TYPES[name].type].map((resource) => resource.body);
  return {
    apiVersion: 'v1',
    kind: 'ProxyConfig',
    metadata: { name: metadata.name, description: metadata.description, labels: metadata.labels },
    spec: {
      listeners: section('listeners'),
      routes: section('routes'),
      clusters: section('clusters'),
      endpoints: section('endpoints'),
      secrets: section('secrets'),
    },
  };
}

/** The document path of a resource type's section, e.g. `spec.routes`. */
export function sectionOf(type: XdsResourceType): SpecSection {
  const found = SPEC_SECTIONS.find((section) => SECTION_TYPES[section].type === type);
  if (found === undefined) throw new Error(`no ProxyConfig section holds ${type} resources`);
  return found;
}
