import {
  type ConfigBindingMode,
  type LabelSelector,
  type Labels,
  matchesLabelSelector,
} from '@envoy-fleet/domain';

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

export interface ProxyPlacement {
  readonly proxyId: string;
  readonly labels: Labels;
  /** The proxy's group first, then its ancestors, nearest first. */
  readonly groups: readonly string[];
}

/**
 * The binding that decides a proxy's config among those that name a config directly: one for the
 * proxy itself wins over one for its group, a nearer group over a farther one, a group over a label
 * selector; ties go to the higher priority. Template and inheritance bindings are resolved by
 * fleet-manager, which renders them, and are not considered here.
 */
export function chooseBinding(
  placement: ProxyPlacement,
  bindings: readonly BindingCandidate[],
): BindingCandidate | undefined {
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
    .sort((a, b) => a.bindingRank - b.bindingRank || b.binding.priority - a.binding.priority)[0]?.binding;
}
