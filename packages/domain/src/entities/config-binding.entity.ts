import { type JsonObject } from '../values/json.value';
import { type LabelSelector } from '../values/labels.value';
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
