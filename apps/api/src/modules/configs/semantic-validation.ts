import { createPrivateKey, X509Certificate } from 'node:crypto';
import {
  type ConfigDocument,
  isJsonObject,
  type JsonObject,
  type JsonValue,
  type ValidationIssue,
  XDS_RESOURCE_TYPES,
} from '@envoy-fleet/domain';
import { findPortClashes } from '@envoy-fleet/xds';
import { LRUCache } from 'lru-cache';
import { RE2JS } from 're2js';
import { sectionOf } from './proxy-config';

const HTTP_CONNECTION_MANAGER =
  'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const TCP_PROXY = 'type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy';

/**
 * The rules the Envoy schema cannot express, over a document whose resources all decoded (canonical
 * proto-JSON, snake_case): names unique per type, references resolve within the config (routes and
 * listeners to clusters, listeners to route configurations, endpoints to clusters), no two listeners
 * on one port, regexes valid under RE2, certificates that match their key and have not expired.
 * Paths point into the ProxyConfig as written, e.g. `spec.routes[0].virtual_hosts[1].routes[2].route.cluster`.
 */
export function validateSemantics(document: ConfigDocument, now: Date = new Date()): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const names = (type: (typeof XDS_RESOURCE_TYPES)[number]): Set<string> =>
    new Set(document.resources[type].map((resource) => resource.name));
  const clusters = names('cluster');
  const routeConfigs = names('route_config');

  for (const type of XDS_RESOURCE_TYPES) {
    const seen = new Set<string>();
    document.resources[type].forEach((resource, index) => {
      if (seen.has(resource.name)) {
        const field = type === 'endpoint' ? 'cluster_name' : 'name';
        issues.push({
          path: `spec.${sectionOf(type)}[${index}].${field}`,
          message: `duplicate ${type} name "${resource.name}"`,
        });
      }
      seen.add(resource.name);
    });
  }

  document.resources.route_config.forEach((resource, index) => {
    issues.push(...routeClusterIssues(resource.body, `spec.routes[${index}]`, clusters));
  });
  document.resources.endpoint.forEach((resource, index) => {
    if (!clusters.has(resource.name)) {
      issues.push({
        path: `spec.endpoints[${index}].cluster_name`,
        message: `no cluster of this config is named "${resource.name}"`,
      });
    }
  });
  document.resources.listener.forEach((resource, index) => {
    issues.push(
      ...listenerReferenceIssues(resource.body, `spec.listeners[${index}]`, clusters, routeConfigs),
    );
  });
  issues.push(...portClashes(document));
  for (const type of XDS_RESOURCE_TYPES) {
    document.resources[type].forEach((resource, index) => {
      issues.push(...regexIssues(resource.body, `spec.${sectionOf(type)}[${index}]`));
    });
  }
  document.resources.secret.forEach((resource, index) => {
    issues.push(...certificateIssues(resource.body, `spec.secrets[${index}]`, now));
  });
  return issues;
}

function objectAt(value: JsonValue | undefined): JsonObject | undefined {
  return isJsonObject(value) ? value : undefined;
}

function arrayAt(value: JsonValue | undefined): readonly JsonValue[] {
  return Array.isArray(value) ? (value as readonly JsonValue[]) : [];
}

function stringAt(value: JsonValue | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Every cluster a RouteConfiguration (or an inline `route_config`) names. */
function routeClusterIssues(
  routeConfig: JsonObject,
  path: string,
  clusters: ReadonlySet<string>,
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const check = (name: string | undefined, at: string): void => {
    if (name !== undefined && !clusters.has(name))
      issues.push({ path: at, message: `no cluster of this config is named "${name}"` });
  };
  arrayAt(routeConfig['virtual_hosts']).forEach((virtualHost, hostIndex) => {
    arrayAt(objectAt(virtualHost)?.['routes']).forEach((route, routeIndex) => {
      const action = objectAt(objectAt(route)?.['route']);
      if (action === undefined) return;
      const at = `${path}.virtual_hosts[${hostIndex}].routes[${routeIndex}].route`;
      check(stringAt(action['cluster']), `${at}.cluster`);
      arrayAt(objectAt(action['weighted_clusters'])?.['clusters']).forEach((weighted, weightedIndex) => {
        check(
          stringAt(objectAt(weighted)?.['name']),
          `${at}.weighted_clusters.clusters[${weightedIndex}].name`,
        );
      });
      arrayAt(action['request_mirror_policies']).forEach((mirror, mirrorIndex) => {
        check(
          stringAt(objectAt(mirror)?.['cluster']),
          `${at}.request_mirror_policies[${mirrorIndex}].cluster`,
        );
      });
    });
  });
  return issues;
}

/** HTTP connection managers name a route configuration (RDS) or carry one inline; TCP proxies name a cluster. */
function listenerReferenceIssues(
  listener: JsonObject,
  path: string,
  clusters: ReadonlySet<string>,
  routeConfigs: ReadonlySet<string>,
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const chains = [
    ...arrayAt(listener['filter_chains']).map((chain, index) => ({
      chain,
      at: `${path}.filter_chains[${index}]`,
    })),
    ...(listener['default_filter_chain'] === undefined
      ? []
      : [{ chain: listener['default_filter_chain'], at: `${path}.default_filter_chain` }]),
  ];
  for (const { chain, at } of chains) {
    arrayAt(objectAt(chain)?.['filters']).forEach((filter, filterIndex) => {
      const typedConfig = objectAt(objectAt(filter)?.['typed_config']);
      const configAt = `${at}.filters[${filterIndex}].typed_config`;
      if (typedConfig?.['@type'] === HTTP_CONNECTION_MANAGER) {
        const routeConfigName = stringAt(objectAt(typedConfig['rds'])?.['route_config_name']);
        if (routeConfigName !== undefined && !routeConfigs.has(routeConfigName)) {
          issues.push({
            path: `${configAt}.rds.route_config_name`,
            message: `no route configuration of this config is named "${routeConfigName}"`,
          });
        }
        const inline = objectAt(typedConfig['route_config']);
        if (inline !== undefined)
          issues.push(...routeClusterIssues(inline, `${configAt}.route_config`, clusters));
      }
      if (typedConfig?.['@type'] === TCP_PROXY) {
        const cluster = stringAt(typedConfig['cluster']);
        if (cluster !== undefined && !clusters.has(cluster)) {
          issues.push({
            path: `${configAt}.cluster`,
            message: `no cluster of this config is named "${cluster}"`,
          });
        }
      }
    });
  }
  return issues;
}

/** Two listeners of one proxy cannot bind the same port on overlapping addresses. */
function portClashes(document: ConfigDocument): ValidationIssue[] {
  return findPortClashes(document.resources.listener.map((resource) => resource.body)).map(
    ({ index, heldBy, binding }) => ({
      path: `spec.listeners[${index}].address.socket_address.port_value`,
      message: `port ${binding.port} is already bound by spec.listeners[${heldBy}]`,
    }),
  );
}

/** Verdicts by pattern: configs repeat the same regexes on every write, and compiling one is costly. */
const RE2_VERDICTS = new LRUCache<string, { readonly problem: string | undefined }>({ max: 10_000 });

/** Why RE2 refuses the pattern, or undefined when it compiles. */
function re2Problem(pattern: string): string | undefined {
  const known = RE2_VERDICTS.get(pattern);
  if (known !== undefined) return known.problem;
  let problem: string | undefined;
  try {
    RE2JS.compile(pattern);
  } catch (error) {
    problem = `not a valid RE2 regular expression: ${(error as Error).message}`;
  }
  RE2_VERDICTS.set(pattern, { problem });
  return problem;
}

/** Every `regex` of a RegexMatcher, compiled as Envoy's RE2 would (no look-around, no back-references). */
function regexIssues(value: JsonValue, path: string): ValidationIssue[] {
  if (Array.isArray(value))
    return (value as readonly JsonValue[]).flatMap((item, index) => regexIssues(item, `${path}[${index}]`));
  if (!isJsonObject(value)) return [];
  return Object.entries(value).flatMap(([key, child]) => {
    const at = `${path}.${key}`;
    if (key === 'regex' && typeof child === 'string') {
      const problem = re2Problem(child);
      return problem === undefined ? [] : [{ path: at, message: problem }];
    }
    return regexIssues(child, at);
  });
}

/** The PEM or base64 bytes of a DataSource given inline; files are checked where they are read. */
function inlineData(source: JsonValue | undefined): string | undefined {
  const data = objectAt(source);
  if (data === undefined) return undefined;
  const text = stringAt(data['inline_string']);
  if (text !== undefined) return text;
  const bytes = stringAt(data['inline_bytes']);
  return bytes === undefined ? undefined : Buffer.from(bytes, 'base64').toString('utf8');
}

function certificateIssues(secret: JsonObject, path: string, now: Date): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const tls = objectAt(secret['tls_certificate']);
  if (tls !== undefined) {
    const chainAt = `${path}.tls_certificate.certificate_chain`;
    const chain = inlineData(tls['certificate_chain']);
    const key = inlineData(tls['private_key']);
    const certificate = chain === undefined ? undefined : parseCertificate(chain, chainAt, issues);
    if (certificate !== undefined) {
      if (new Date(certificate.validTo).getTime() <= now.getTime()) {
        issues.push({
          path: chainAt,
          message: `the certificate expired on ${new Date(certificate.validTo).toISOString()}`,
        });
      }
      if (key !== undefined) {
        try {
          if (!certificate.checkPrivateKey(createPrivateKey(key))) {
            issues.push({
              path: `${path}.tls_certificate.private_key`,
              message: 'the private key does not match the certificate',
            });
          }
        } catch (error) {
          issues.push({
            path: `${path}.tls_certificate.private_key`,
            message: `not a private key: ${(error as Error).message}`,
          });
        }
      }
    }
  }
  const trustedCa = inlineData(objectAt(secret['validation_context'])?.['trusted_ca']);
  if (trustedCa !== undefined) parseCertificate(trustedCa, `${path}.validation_context.trusted_ca`, issues);
  return issues;
}

function parseCertificate(pem: string, path: string, issues: ValidationIssue[]): X509Certificate | undefined {
  try {
    return new X509Certificate(pem);
  } catch (error) {
    issues.push({ path, message: `not a PEM certificate: ${(error as Error).message}` });
    return undefined;
  }
}
