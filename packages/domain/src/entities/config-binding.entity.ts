import { type JsonObject } from '../values/json.value';
import { type LabelSelector, type Labels, matchesLabelSelector } from '../values/labels.value';
import { type XdsResourceType } from './xds-resource.entity';

/** Seed 000 4.4.1 assignment modes. */
export const CONFIG_BINDING_MODES = ['instance', 'group', 'label_selector', 'template', 'inherit'] as const;
export type ConfigBindingMode = (typeof CONFIG_BINDING_MODES)[number];

/** Which proxies a template binding applies to. */
export type ConfigBindingTarget =
  | { readonly kind: 'proxy'; readonly proxyId: string }
  | { readonly kind: 'group'; readonly groupId: string }
  | { readonly kind: 'label_selector'; readonly selector: LabelSelector };

/** Replaces (merge-patches) one resource of the inherited config. */
export interface ConfigOverride {
  readonly resourceType: XdsResourceType;
  readonly name: string;
  /** RFC 7396 JSON merge patch applied to the inherited resource body. */
  readonly patch: JsonObject;
}

export type ConfigBindingAssignment =
  | { readonly mode: 'instance'; readonly proxyId: string; readonly configId: string }
  | { readonly mode: 'group'; readonly groupId: string; readonly configId: string }
  | { readonly mode: 'label_selector'; readonly selector: LabelSelector; readonly configId: string }
  | {
      readonly mode: 'template';
      readonly target: ConfigBindingTarget;
      readonly templateId: string;
      /** Validated against the template's parameter JSON Schema. */
      readonly parameters: JsonObject;
    }
  | {
      readonly mode: 'inherit';
      readonly proxyId: string;
      /** The proxy whose effective config is inherited. */
      readonly parentProxyId: string;
      readonly overrides: readonly ConfigOverride[];
    };

/** Assigns config to proxies; when several bindings reach a proxy, the highest priority wins. */
export interface ConfigBinding {
  readonly id: string;
  readonly tenantId: string;
  readonly assignment: ConfigBindingAssignment;
  readonly priority: number;
  readonly version: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** The fields of a binding that decide whether, and how strongly, it applies to a proxy. */
export interface BindingCandidate {
  readonly id: string;
  readonly mode: ConfigBindingMode;
  readonly proxyId: string | null;
  readonly groupId: string | null;
  readonly labelSelector: LabelSelector | null;
  readonly configId: string | null;
  readonly priority: number;
}

/** Where a proxy sits, as far as binding precedence cares. */
export interface ProxyPlacement {
  readonly proxyId: string;
  readonly labels: Labels;
  /** The proxy's group first, then its ancestors, nearest first. */
  readonly groups: readonly string[];
}

/**
 * The binding that decides a proxy's config among those that name a config directly: the proxy's own
 * binding, then the nearest group's (a child group overrides its parent), then a label selector, whatever
 * their priority. Ties go to the higher priority, then to the lower binding id, so the api and every
 * fleet-manager replica pick the same one. Template and inheritance bindings are not resolved here.
 */
export function chooseBinding<Candidate extends BindingCandidate>(
  placement: ProxyPlacement,
  bindings: readonly Candidate[],
): Candidate | undefined {
  const rank = (binding: BindingCandidate): number | undefined => {
    switch (binding.mode) {
      case 'instance':
        return binding.proxyId === placement.proxyId ? 0 : undefined;
      case 'group': {
        const distance = binding.groupId === null ? -1 : placement.groups.indexOf(binding.groupId);
        return distance === -1 ? undefined : 1 + distance;
      }
      case 'label_selector':
        return binding.labelSelector !== null && matchesLabelSelector(placement.labels, binding.labelSelector)
          ? 1 + placement.groups.length
          : undefined;
      case 'template':
      case 'inherit':
        return undefined;
    }
  };
  return bindings
    .flatMap((binding) => {
      const bindingRank = rank(binding);
      return bindingRank === undefined || binding.configId === null ? [] : [{ binding, bindingRank }];
    })
    .sort(
      (a, b) =>
        a.bindingRank - b.bindingRank ||
        b.binding.priority - a.binding.priority ||
        a.binding.id.localeCompare(b.binding.id),
    )[0]?.binding;
}
