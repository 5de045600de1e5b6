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
 * The binding that decides a proxy's config, with the api's precedence (`GET /proxies/{node_id}/config`
 * must show what is served): the proxy's own binding, then the nearest group's, then a label selector;
 * ties go to the higher priority, then to the lower binding id so every replica picks the same one.
 * Template and inheritance bindings are not resolved yet and are ignored.
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
    .sort(
      (a, b) =>
        a.bindingRank - b.bindingRank ||
        b.binding.priority - a.binding.priority ||
        a.binding.id.localeCompare(b.binding.id),
    )[0]?.binding;
}

/** A group followed by its ancestors, nearest first; stops at a loop (the database refuses them anyway). */
export function groupLineage(groupId: string, parentOf: ReadonlyMap<string, string | null>): string[] {
  const lineage = [groupId];
  for (let parent = parentOf.get(groupId); parent != null && !lineage.includes(parent);) {
    lineage.push(parent);
    parent = parentOf.get(parent);
  }
  return lineage;
}
