import { type ConfigDocument, type ConfigDocumentResource, type ValidationIssue } from '@envoy-fleet/domain';
import { decodeResource, parseResource } from '@envoy-fleet/xds';
import { type ProxyConfig, SECTION_TYPES, type SpecSection } from './proxy-config';

export interface DecodedResources {
  /** Every resource that decoded, in canonical proto-JSON (snake_case, defaults omitted). */
  readonly document: ConfigDocument;
  /** Every schema problem, at its path in the ProxyConfig, e.g. `spec.clusters[2].connect_timeout`. */
  readonly issues: readonly ValidationIssue[];
}

/**
 * Each resource through the Envoy codec: proto3 JSON decoding (unknown fields, wrong types) and the
 * validate.rules of the Envoy API. What is stored is the canonical form the codec gives back, so every
 * version of equal content is stored, hashed and diffed alike.
 */
export function decodeResources(config: ProxyConfig): DecodedResources {
  const issues: ValidationIssue[] = [];
  const decode = (section: SpecSection): ConfigDocumentResource[] => {
    const { kind } = SECTION_TYPES[section];
    return config.spec[section].flatMap((json, index): ConfigDocumentResource[] => {
      const at = `spec.${section}[${index}]`;
      const parsed = parseResource(kind, json);
      if (!parsed.ok) {
        issues.push(
          ...parsed.issues.map((issue) => ({
            path: issue.path === '' ? at : `${at}.${issue.path}`,
            message: issue.message,
          })),
        );
        return [];
      }
      if (parsed.name === '') {
        issues.push({
          path: `${at}.${kind === 'endpoint' ? 'cluster_name' : 'name'}`,
          message: 'a resource needs a name',
        });
        return [];
      }
      return [{ name: parsed.name, labels: {}, body: decodeResource(kind, parsed.bytes) }];
    });
  };
  const document: ConfigDocument = {
    resources: {
      listener: decode('listeners'),
      route_config: decode('routes'),
      cluster: decode('clusters'),
      endpoint: decode('endpoints'),
      secret: decode('secrets'),
    },
  };
  return { document, issues };
}
