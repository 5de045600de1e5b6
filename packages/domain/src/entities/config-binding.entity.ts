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
  /** Target of `instance` and `inherit`, or of a `template` aimed at one proxy. */
  readonly proxyId: string | null;
  /** Target of `group`, or of a `template` aimed at a group. */
  readonly groupId: string | null;
  /** Target of `label_selector`, or of a `template` aimed at a selector. */
  readonly labelSelector: LabelSelector | null;
  readonly configId: string | null;
  readonly templateId: string | null;
  readonly parentProxyId: string | null;
  readonly priority: number;
}

/** Where a proxy sits, as far as binding precedence cares. */
export interface ProxyPlacement {
  readonly proxyId: string;
  readonly labels: Labels;
  /** The proxy's group first, then its ancestors, nearest first. */
  readonly groups: readonly string[];
}

/** At one target, a config named directly beats an inherited config, which beats a rendered template. */
const MODE_ORDER: { readonly [M in ConfigBindingMode]: number } = {
  instance: 0,
  group: 0,
  label_selector: 0,
  inherit: 1,
  template: 2,
};

/**
 * The binding that decides a proxy's config (docs/assignment-modes.md). The most specific target wins:
 * the proxy itself (`instance`, `inherit`, a `template` aimed at it), then its group, then each
 * ancestor, nearest first (a child group overrides its parent; `group` or a `template` aimed at the
 * group), then a matching label selector (`label_selector` or a `template` aimed at a selector),
 * whatever their priority. At the same target, `instance`/`group`/`label_selector` beat `inherit`,
 * which beats `template`. Remaining ties go to the higher priority, then to the lower binding id, so
 * the api and every fleet-manager replica pick the same one.
 */
export function chooseBinding<Candidate extends BindingCandidate>(
  placement: ProxyPlacement,
  bindings: readonly Candidate[],
): Candidate | undefined {
  const targetRank = (binding: BindingCandidate): number | undefined => {
    if (binding.proxyId !== null) return binding.proxyId === placement.proxyId ? 0 : undefined;
    if (binding.groupId !== null) {
      const distance = placement.groups.indexOf(binding.groupId);
      return distance === -1 ? undefined : 1 + distance;
    }
    if (binding.labelSelector !== null) {
      return matchesLabelSelector(placement.labels, binding.labelSelector)
        ? 1 + placement.groups.length
        : undefined;
    }
    return undefined;
  };
  const complete = (binding: BindingCandidate): boolean => {
    switch (binding.mode) {
      case 'instance':
        return binding.configId !== null && binding.proxyId !== null;
      case 'group':
        return binding.configId !== null && binding.groupId !== null;
      case 'label_selector':
        return binding.configId !== null && binding.labelSelector !== null;
      case 'template':
        return binding.templateId !== null;
      case 'inherit':
        return binding.parentProxyId !== null && binding.proxyId !== null;
    }
  };
  return bindings
    .flatMap((binding) => {
      const rank = complete(binding) ? targetRank(binding) : undefined;
      return rank === undefined ? [] : [{ binding, rank }];
    })
    .sort(
      (a, b) =>
        a.rank - b.rank ||
        MODE_ORDER[a.binding.mode] - MODE_ORDER[b.binding.mode] ||
        b.binding.priority - a.binding.priority ||
        a.binding.id.localeCompare(b.binding.id),
    )[0]?.binding;
}
