import { createHash } from 'node:crypto';
import {
  applyMergePatch,
  type BindingCandidate,
  canonicalJson,
  chooseBinding,
  compileConfigTemplate,
  type CompiledConfigTemplate,
  type ConfigDocument,
  type ConfigDocumentResource,
  configDocumentHashInput,
  groupAncestors,
  isJsonObject,
  isXdsResourceType,
  type JsonObject,
  type JsonValue,
  type Labels,
  type ValidationIssue,
  type XdsResourceType,
} from '@envoy-fleet/domain';

/** The config a proxy should run. */
export interface EffectiveConfig {
  /**
   * Names the snapshot: proxies whose configs have the same id share one. `version:<id>` for a stored
   * config version, `document:<sha256>` for a document rendered from a template or inherited with
   * overrides (equal documents share a snapshot, whichever bindings produced them).
   */
  readonly snapshotId: string;
  /** Where the config comes from, for reports and logs. */
  readonly source: string;
  readonly content: ConfigContent;
}

/**
 * A stored version's resources stay in PostgreSQL until a snapshot of it is built (most builds find it
 * built and need none of them); a rendered or inherited document is held.
 */
export type ConfigContent = { readonly versionId: string } | { readonly document: ConfigDocument };

export type ProxyResolution =
  | { readonly status: 'resolved'; readonly config: EffectiveConfig }
  /** The winning binding cannot produce a config (render error, bad parameters, inheritance cycle). */
  | { readonly status: 'invalid'; readonly source: string; readonly issues: readonly string[] }
  /** No binding reaches the proxy, or its config has no version yet. */
  | { readonly status: 'unbound' };

export interface ResolvableProxy {
  readonly id: string;
  readonly nodeId: string;
  readonly groupId: string;
  readonly labels: Labels;
}

export interface ResolvableBinding extends BindingCandidate {
  readonly parameters: JsonObject | null;
  readonly overrides: readonly unknown[] | null;
}

/**
 * A stored config version, without its document: the builder reads a version's resources from
 * PostgreSQL only when it publishes a snapshot of it (select `id`, `configId` and `number`).
 */
export interface StoredVersion {
  readonly id: string;
  readonly configId: string;
  readonly number: number;
}

export interface StoredTemplate {
  readonly id: string;
  readonly name: string;
  readonly body: string;
  readonly parametersSchema: JsonObject;
}

/**
 * The binding that decides each proxy's config (docs/assignment-modes.md), by proxy id. Proxies no
 * binding names by id are placed by their group and labels alone, so each distinct placement is
 * decided once, however many proxies share it.
 */
export function chooseBindings<Binding extends ResolvableBinding>(
  proxies: readonly ResolvableProxy[],
  parentOf: ReadonlyMap<string, string | null>,
  bindings: readonly Binding[],
): Map<string, Binding | undefined> {
  const named = new Set(bindings.flatMap((binding) => binding.proxyId ?? []));
  const groupChains = new Map<string, string[]>();
  const byPlacement = new Map<string, Binding | undefined>();
  const choose = (proxy: ResolvableProxy): Binding | undefined => {
    let groups = groupChains.get(proxy.groupId);
    if (groups === undefined) {
      groups = [proxy.groupId, ...groupAncestors(proxy.groupId, parentOf)];
      groupChains.set(proxy.groupId, groups);
    }
    const placement = { proxyId: proxy.id, labels: proxy.labels, groups };
    if (named.has(proxy.id)) return chooseBinding(placement, bindings);
    const key = `${proxy.groupId}\n${canonicalJson(proxy.labels)}`;
    if (byPlacement.has(key)) return byPlacement.get(key);
    const chosen = chooseBinding(placement, bindings);
    byPlacement.set(key, chosen);
    return chosen;
  };
  return new Map(proxies.map((proxy) => [proxy.id, choose(proxy)]));
}

/** What resolving needs besides the chosen bindings: which version of a config a proxy runs, and the templates. */
export interface ConfigSources {
  /**
   * The version of the config that the proxy runs: the one its config's rollouts released to it
   * (`releasedVersion`); undefined when there is none (no version yet, or none released to it).
   */
  versionOf(configId: string, proxyId: string): StoredVersion | undefined;
  /**
   * The document of a stored version, read only to inherit it with overrides; undefined when it was
   * not loaded.
   */
  documentOf(versionId: string): ConfigDocument | undefined;
  readonly templates: ReadonlyMap<string, StoredTemplate>;
}

/**
 * Resolves every proxy's config from its chosen binding: a stored version (`instance`, `group`,
 * `label_selector`), a template rendered with the binding's parameters (checked against the template's
 * JSON Schema), or another proxy's effective config with JSON merge-patch overrides (`inherit`, followed
 * through chains; a cycle makes every proxy on it invalid). A binding that cannot produce a config
 * makes its proxy invalid with the reasons; nothing falls back to a weaker binding.
 */
export function resolveConfigs(
  proxies: readonly ResolvableProxy[],
  chosen: ReadonlyMap<string, ResolvableBinding | undefined>,
  sources: ConfigSources,
): Map<string, ProxyResolution> {
  const proxyById = new Map(proxies.map((proxy) => [proxy.id, proxy]));
  const compiled = new Map<string, CompiledConfigTemplate>();
  const rendered = new Map<string, ProxyResolution>();
  const resolved = new Map<string, ProxyResolution>();

  const renderTemplate = (binding: ResolvableBinding, templateId: string): ProxyResolution => {
    const template = sources.templates.get(templateId);
    const source = `template ${template === undefined ? templateId : `"${template.name}"`} (binding ${binding.id})`;
    if (template === undefined) return invalid(source, [`template ${templateId} does not exist`]);
    const parameters = binding.parameters ?? {};
    const cacheKey = `${templateId}\n${canonicalJson(parameters)}`;
    const cached = rendered.get(cacheKey);
    if (cached !== undefined) return withSource(cached, source);
    let compiledTemplate = compiled.get(templateId);
    if (compiledTemplate === undefined) {
      compiledTemplate = compileConfigTemplate(template);
      compiled.set(templateId, compiledTemplate);
    }
    const result = ((): ProxyResolution => {
      if (!compiledTemplate.ok) return invalid(source, compiledTemplate.issues.map(formatIssue));
      const rendering = compiledTemplate.render(parameters);
      if (!rendering.ok) return invalid(source, rendering.issues.map(formatIssue));
      const document = documentOfProxyConfig(rendering.output);
      if (!document.ok) return invalid(source, document.issues.map(formatIssue));
      return derived(source, document.document);
    })();
    rendered.set(cacheKey, result);
    return result;
  };

  const inherit = (
    proxy: ResolvableProxy,
    binding: ResolvableBinding,
    parentProxyId: string,
    path: readonly string[],
  ): ProxyResolution => {
    const parent = proxyById.get(parentProxyId);
    const source = `inheritance from proxy ${parent?.nodeId ?? parentProxyId} (binding ${binding.id})`;
    if (parent === undefined) return invalid(source, [`proxy ${parentProxyId} does not exist`]);
    const chain = [...path, proxy.id];
    if (chain.includes(parent.id)) {
      const loop = [...chain.slice(chain.indexOf(parent.id)), parent.id].map(
        (id) => proxyById.get(id)?.nodeId ?? id,
      );
      return invalid(source, [`inheritance cycle: ${loop.join(' inherits from ')}`]);
    }
    const inherited = resolve(parent, chain);
    if (inherited.status === 'unbound') return invalid(source, [`proxy ${parent.nodeId} has no config`]);
    if (inherited.status === 'invalid') {
      return invalid(source, [
        `proxy ${parent.nodeId} has no valid config (${inherited.source})`,
        ...inherited.issues,
      ]);
    }
    const overrides = binding.overrides ?? [];
    if (overrides.length === 0) return inherited;
    const { content } = inherited.config;
    const patched = applyOverrides(
      'document' in content ? content.document : storedDocument(content.versionId),
      overrides,
    );
    if (!patched.ok) return invalid(source, patched.issues.map(formatIssue));
    return derived(`${source}, over ${inherited.config.source}`, patched.document);
  };

  const storedDocument = (versionId: string): ConfigDocument => {
    const document = sources.documentOf(versionId);
    if (document === undefined) throw new Error(`the document of version ${versionId} was not loaded`);
    return document;
  };

  const resolve = (proxy: ResolvableProxy, path: readonly string[]): ProxyResolution => {
    const known = resolved.get(proxy.id);
    if (known !== undefined) return known;
    const binding = chosen.get(proxy.id);
    let resolution: ProxyResolution;
    if (binding === undefined) resolution = { status: 'unbound' };
    else if (binding.mode === 'template' && binding.templateId !== null)
      resolution = renderTemplate(binding, binding.templateId);
    else if (binding.mode === 'inherit' && binding.parentProxyId !== null)
      resolution = inherit(proxy, binding, binding.parentProxyId, path);
    else {
      const version = binding.configId === null ? undefined : sources.versionOf(binding.configId, proxy.id);
      resolution =
        version === undefined
          ? { status: 'unbound' }
          : {
              status: 'resolved',
              config: {
                snapshotId: `version:${version.id}`,
                source: `config ${version.configId} version ${version.number}`,
                content: { versionId: version.id },
              },
            };
    }
    resolved.set(proxy.id, resolution);
    return resolution;
  };

  return new Map(proxies.map((proxy) => [proxy.id, resolve(proxy, [])]));
}

/** The ProxyConfig sections (seed 001 6.3) and the resource type each holds. */
const SECTIONS: { readonly [section: string]: XdsResourceType } = {
  listeners: 'listener',
  routes: 'route_config',
  clusters: 'cluster',
  endpoints: 'endpoint',
  secrets: 'secret',
};

type DocumentReading =
  | { readonly ok: true; readonly document: ConfigDocument }
  | { readonly ok: false; readonly issues: readonly ValidationIssue[] };

/**
 * A rendered ProxyConfig (`{apiVersion: v1, kind: ProxyConfig, metadata, spec}`, as the api's configs
 * accept) as a config document. Only the envelope and the resource names are checked here; the
 * resources go through the same translation and consistency checks as any stored version.
 */
export function documentOfProxyConfig(output: JsonValue): DocumentReading {
  if (!isJsonObject(output)) return failed('', 'the template must render a ProxyConfig object');
  const issues: ValidationIssue[] = [];
  if (output['apiVersion'] !== 'v1') issues.push({ path: 'apiVersion', message: 'must be "v1"' });
  if (output['kind'] !== 'ProxyConfig') issues.push({ path: 'kind', message: 'must be "ProxyConfig"' });
  const spec = output['spec'] ?? {};
  if (!isJsonObject(spec)) return failed('spec', 'must be an object');
  const resources: Record<XdsResourceType, ConfigDocumentResource[]> = {
    listener: [],
    route_config: [],
    cluster: [],
    endpoint: [],
    secret: [],
  };
  for (const [section, value] of Object.entries(spec)) {
    const type = SECTIONS[section];
    if (type === undefined) {
      issues.push({ path: `spec.${section}`, message: 'is not a ProxyConfig section' });
      continue;
    }
    if (!Array.isArray(value)) {
      issues.push({ path: `spec.${section}`, message: 'must be an array' });
      continue;
    }
    (value as readonly JsonValue[]).forEach((body, index) => {
      const nameField = type === 'endpoint' ? 'cluster_name' : 'name';
      const at = `spec.${section}[${index}]`;
      if (!isJsonObject(body)) issues.push({ path: at, message: 'must be an object' });
      else if (typeof body[nameField] !== 'string' || body[nameField] === '')
        issues.push({ path: `${at}.${nameField}`, message: 'a resource needs a name' });
      else resources[type].push({ name: body[nameField], labels: {}, body });
    });
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, document: { resources } };
}

/**
 * Applies an inherit binding's overrides (`{resourceType, name, patch}`, seed 000 4.4.1 ConfigOverride):
 * each RFC 7396 merge patch changes the inherited resource of that type and name, or adds the resource
 * when the parent has none of that name.
 */
export function applyOverrides(document: ConfigDocument, overrides: readonly unknown[]): DocumentReading {
  const resources = Object.fromEntries(
    Object.entries(document.resources).map(([type, list]) => [type, [...list]]),
  ) as Record<XdsResourceType, ConfigDocumentResource[]>;
  const issues: ValidationIssue[] = [];
  overrides.forEach((override, index) => {
    const at = `overrides[${index}]`;
    if (!isJsonObject(override)) {
      issues.push({ path: at, message: 'must be an object' });
      return;
    }
    const { resourceType, name, patch } = override;
    if (typeof resourceType !== 'string' || !isXdsResourceType(resourceType)) {
      issues.push({ path: `${at}.resourceType`, message: 'must be an xDS resource type' });
      return;
    }
    if (typeof name !== 'string' || name === '') {
      issues.push({ path: `${at}.name`, message: 'must name a resource' });
      return;
    }
    if (!isJsonObject(patch)) {
      issues.push({ path: `${at}.patch`, message: 'must be a JSON merge patch object' });
      return;
    }
    const list = resources[resourceType];
    const position = list.findIndex((resource) => resource.name === name);
    const current = list[position];
    const body = applyMergePatch(current?.body ?? {}, patch) as JsonObject;
    if (current === undefined) list.push({ name, labels: {}, body });
    else list[position] = { ...current, body };
  });
  return issues.length > 0 ? { ok: false, issues } : { ok: true, document: { resources } };
}

function derived(source: string, document: ConfigDocument): ProxyResolution {
  const hash = createHash('sha256').update(configDocumentHashInput(document)).digest('hex');
  return { status: 'resolved', config: { snapshotId: `document:${hash}`, source, content: { document } } };
}

function withSource(resolution: ProxyResolution, source: string): ProxyResolution {
  if (resolution.status === 'resolved') return { ...resolution, config: { ...resolution.config, source } };
  if (resolution.status === 'invalid') return { ...resolution, source };
  return resolution;
}

function invalid(source: string, issues: readonly string[]): ProxyResolution {
  return { status: 'invalid', source, issues };
}

function failed(path: string, message: string): DocumentReading {
  return { ok: false, issues: [{ path, message }] };
}

function formatIssue(issue: ValidationIssue): string {
  return `${issue.path || '(root)'}: ${issue.message}`;
}
