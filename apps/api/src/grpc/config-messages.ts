import { canonicalJson, type JsonObject, type ValidationIssue as DomainIssue } from '@envoy-fleet/domain';
import {
  ChangeType,
  type Config,
  type ConfigSpec,
  type ConfigVersion,
  type ResourceDiff,
  type ValidationIssue,
} from '@envoy-fleet/proto/management';
import { typeUrlOf } from '@envoy-fleet/xds';
import type {
  ConfigSummaryView,
  ConfigVersionSummaryView,
  ConfigVersionView,
  ConfigView,
} from '../modules/configs/config.dto';
import { SECTION_TYPES, SPEC_SECTIONS, type SpecSection } from '../modules/configs/proxy-config';
import { etagOf, timestampOf } from './grpc-request';

type Resource = Readonly<Record<string, unknown>>;
/** A ProxyConfig's resources by section, as written or as read (secrets masked). */
type Sections = Readonly<Record<SpecSection, readonly Resource[]>>;

/** The proto's ConfigSpec fields, in the ProxyConfig's section order. */
type SpecField = keyof ConfigSpec;
const SPEC_FIELDS: Readonly<Record<SpecSection, SpecField>> = {
  listeners: 'listeners',
  routes: 'routes',
  clusters: 'clusters',
  endpoints: 'endpoints',
  secrets: 'secrets',
};

export function specMessage(config: { readonly spec: Sections }): ConfigSpec {
  return {
    listeners: [...config.spec.listeners],
    routes: [...config.spec.routes],
    clusters: [...config.spec.clusters],
    endpoints: [...config.spec.endpoints],
    secrets: [...config.spec.secrets],
  };
}

/** A ConfigSpec as the ProxyConfig `spec` it is (every section present). */
export function specOf(spec: ConfigSpec | undefined): Record<SpecSection, JsonObject[]> {
  return Object.fromEntries(
    SPEC_SECTIONS.map((section) => [section, (spec?.[SPEC_FIELDS[section]] ?? []) as JsonObject[]]),
  ) as Record<SpecSection, JsonObject[]>;
}

export function configMessage(view: ConfigSummaryView | ConfigView): Config {
  return {
    id: view.id,
    name: view.name,
    description: view.description,
    labels: view.labels,
    spec: 'document' in view ? specMessage(view.document) : undefined,
    currentVersion: view.latestVersion,
    createTime: timestampOf(view.createdAt),
    updateTime: timestampOf(view.updatedAt),
    etag: etagOf(view.version),
  };
}

export function configVersionMessage(view: ConfigVersionSummaryView | ConfigVersionView): ConfigVersion {
  return {
    id: view.id,
    configId: view.configId,
    version: view.number,
    contentHash: view.contentHash,
    author: view.author,
    message: view.message,
    spec: 'document' in view ? specMessage(view.document) : undefined,
    rolledBackFromVersion: 0,
    createTime: timestampOf(view.createdAt),
  };
}

/** A resource's name: `cluster_name` for endpoints (ClusterLoadAssignment), `name` otherwise. */
function resourceName(section: SpecSection, resource: Resource | undefined): string {
  const name = resource?.[section === 'endpoints' ? 'cluster_name' : 'name'];
  return typeof name === 'string' ? name : '';
}

/** The resources that differ between two versions of a config, by type and name. */
export function resourceChanges(
  from: { readonly spec: Sections },
  to: { readonly spec: Sections },
): ResourceDiff[] {
  return SPEC_SECTIONS.flatMap((section): ResourceDiff[] => {
    const typeUrl = typeUrlOf(SECTION_TYPES[section].kind);
    const byName = (config: { readonly spec: Sections }) =>
      new Map(config.spec[section].map((resource) => [resourceName(section, resource), resource]));
    const before = byName(from);
    const after = byName(to);
    const changes: ResourceDiff[] = [];
    for (const [name, old] of before) {
      const next = after.get(name);
      if (next === undefined) {
        changes.push({
          typeUrl,
          name,
          change: ChangeType.CHANGE_TYPE_REMOVED,
          before: old,
          after: undefined,
        });
      } else if (canonicalJson(old) !== canonicalJson(next)) {
        changes.push({ typeUrl, name, change: ChangeType.CHANGE_TYPE_MODIFIED, before: old, after: next });
      }
    }
    for (const [name, next] of after) {
      if (!before.has(name)) {
        changes.push({ typeUrl, name, change: ChangeType.CHANGE_TYPE_ADDED, before: undefined, after: next });
      }
    }
    return changes;
  });
}

const RESOURCE_PATH = /^spec\.(listeners|routes|clusters|endpoints|secrets)\[(\d+)\](?:\.(.*))?$/;

/**
 * A validation issue at its resource: `spec.clusters[2].connect_timeout` of `spec` becomes the
 * cluster's type URL, its name and `connect_timeout`; issues outside the resources keep their path.
 */
export function validationIssueMessage(issue: DomainIssue, spec: Sections): ValidationIssue {
  const match = RESOURCE_PATH.exec(issue.path);
  const section = match?.[1] as SpecSection | undefined;
  if (match === null || section === undefined) {
    return { typeUrl: '', resourceName: '', path: issue.path, message: issue.message, rule: '' };
  }
  return {
    typeUrl: typeUrlOf(SECTION_TYPES[section].kind),
    resourceName: resourceName(section, spec[section][Number(match[2])]),
    path: match[3] ?? '',
    message: issue.message,
    rule: '',
  };
}
