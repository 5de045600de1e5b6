import {
  type ConfigBindingMode,
  type ConfigOverride,
  type JsonObject,
  LABEL_SELECTOR_OPERATORS,
  type LabelSelector,
  XDS_RESOURCE_TYPES,
} from '@envoy-fleet/domain';
import type { ConfigBindingEntity } from '@envoy-fleet/db';
import { z } from 'zod';
import type { ListSpec } from '../../http/list-query';
import { labelsSchema, versionedViewFields } from '../../http/request-schemas';

const jsonObject = z.record(z.string(), z.json()).transform((value): JsonObject => value);

export const labelSelectorSchema = z
  .strictObject({
    matchLabels: labelsSchema.optional(),
    matchExpressions: z
      .array(
        z.strictObject({
          key: z.string(),
          operator: z.enum(LABEL_SELECTOR_OPERATORS),
          values: z.array(z.string()).optional(),
        }),
      )
      .optional(),
  })
  .transform((selector): LabelSelector => selector);

const overrideSchema = z
  .strictObject({
    resourceType: z.enum(XDS_RESOURCE_TYPES),
    name: z.string().min(1),
    patch: jsonObject.describe('RFC 7396 merge patch applied to the inherited resource body'),
  })
  .transform((override): ConfigOverride => override);

const priority = z
  .number()
  .int()
  .min(-1_000_000)
  .max(1_000_000)
  .default(0)
  .describe('higher wins between bindings of equal precedence');

/**
 * A config binding as clients write it, one shape per mode of seed 000 4.4.1: `instance` (one proxy),
 * `group` (a proxy group and its descendants), `label_selector` (proxies whose labels match),
 * `template` (a template rendered with parameters, aimed at exactly one of a proxy, a group or a
 * selector) and `inherit` (a proxy runs another proxy's config with per-resource overrides).
 */
export const configBindingWriteSchema = z.discriminatedUnion('mode', [
  z.strictObject({ mode: z.literal('instance'), proxyId: z.uuid(), configId: z.uuid(), priority }),
  z.strictObject({ mode: z.literal('group'), groupId: z.uuid(), configId: z.uuid(), priority }),
  z.strictObject({
    mode: z.literal('label_selector'),
    selector: labelSelectorSchema,
    configId: z.uuid(),
    priority,
  }),
  z
    .strictObject({
      mode: z.literal('template'),
      templateId: z.uuid(),
      parameters: jsonObject.default({}),
      proxyId: z.uuid().optional(),
      groupId: z.uuid().optional(),
      selector: labelSelectorSchema.optional(),
      priority,
    })
    .refine(
      (binding) =>
        [binding.proxyId, binding.groupId, binding.selector].filter((target) => target !== undefined)
          .length === 1,
      { message: 'a template binding names exactly one of proxyId, groupId and selector' },
    ),
  z.strictObject({
    mode: z.literal('inherit'),
    proxyId: z.uuid(),
    parentProxyId: z.uuid(),
    overrides: z.array(overrideSchema).default([]),
    priority,
  }),
]);
export type ConfigBindingWrite = z.output<typeof configBindingWriteSchema>;

export const configBindingViewSchema = z.object({
  id: z.uuid(),
  mode: z.enum(['instance', 'group', 'label_selector', 'template', 'inherit']),
  proxyId: z.uuid().nullable(),
  groupId: z.uuid().nullable(),
  selector: z.record(z.string(), z.unknown()).nullable(),
  configId: z.uuid().nullable(),
  templateId: z.uuid().nullable(),
  parameters: z.record(z.string(), z.unknown()).nullable(),
  parentProxyId: z.uuid().nullable(),
  overrides: z.array(z.record(z.string(), z.unknown())).nullable(),
  priority: z.number().int(),
  ...versionedViewFields,
});
export type ConfigBindingView = z.output<typeof configBindingViewSchema>;

/** The columns of a binding: each mode fills its own and leaves the others NULL (`ck_config_bindings_shape`). */
export interface ConfigBindingColumns {
  readonly mode: ConfigBindingMode;
  readonly proxyId: string | null;
  readonly groupId: string | null;
  readonly labelSelector: LabelSelector | null;
  readonly configId: string | null;
  readonly templateId: string | null;
  readonly parameters: JsonObject | null;
  readonly parentProxyId: string | null;
  readonly overrides: ConfigOverride[] | null;
  readonly priority: number;
}

export function configBindingColumns(write: ConfigBindingWrite): ConfigBindingColumns {
  const none = {
    proxyId: null,
    groupId: null,
    labelSelector: null,
    configId: null,
    templateId: null,
    parameters: null,
    parentProxyId: null,
    overrides: null,
  };
  switch (write.mode) {
    case 'instance':
      return {
        ...none,
        mode: write.mode,
        proxyId: write.proxyId,
        configId: write.configId,
        priority: write.priority,
      };
    case 'group':
      return {
        ...none,
        mode: write.mode,
        groupId: write.groupId,
        configId: write.configId,
        priority: write.priority,
      };
    case 'label_selector':
      return {
        ...none,
        mode: write.mode,
        labelSelector: write.selector,
        configId: write.configId,
        priority: write.priority,
      };
    case 'template':
      return {
        ...none,
        mode: write.mode,
        templateId: write.templateId,
        parameters: write.parameters,
        proxyId: write.proxyId ?? null,
        groupId: write.groupId ?? null,
        labelSelector: write.selector ?? null,
        priority: write.priority,
      };
    case 'inherit':
      return {
        ...none,
        mode: write.mode,
        proxyId: write.proxyId,
        parentProxyId: write.parentProxyId,
        overrides: [...write.overrides],
        priority: write.priority,
      };
  }
}

export function configBindingView(binding: ConfigBindingEntity): ConfigBindingView {
  return {
    id: binding.id,
    mode: binding.mode,
    proxyId: binding.proxyId,
    groupId: binding.groupId,
    selector: binding.labelSelector as Record<string, unknown> | null,
    configId: binding.configId,
    templateId: binding.templateId,
    parameters: binding.parameters,
    parentProxyId: binding.parentProxyId,
    overrides: binding.overrides as Record<string, unknown>[] | null,
    priority: binding.priority,
    version: binding.version,
    createdAt: binding.createdAt.toISOString(),
    updatedAt: binding.updatedAt.toISOString(),
  };
}

/** The writable fields of a stored binding, as a merge patch applies to them (only the mode's own). */
export function configBindingWriteOf(view: ConfigBindingView): JsonObject {
  const fields: Record<string, unknown> = {
    mode: view.mode,
    proxyId: view.proxyId,
    groupId: view.groupId,
    selector: view.selector,
    configId: view.configId,
    templateId: view.templateId,
    parameters: view.parameters,
    parentProxyId: view.parentProxyId,
    overrides: view.overrides,
    priority: view.priority,
  };
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== null)) as JsonObject;
}

export const CONFIG_BINDING_LIST: ListSpec = {
  sortable: {
    createdAt: { column: 'created_at', kind: 'timestamp' },
    updatedAt: { column: 'updated_at', kind: 'timestamp' },
    priority: { column: 'priority', kind: 'integer' },
  },
  defaultSort: 'createdAt',
  filters: {
    mode: 'mode',
    proxyId: 'proxy_id',
    groupId: 'group_id',
    configId: 'config_id',
    templateId: 'template_id',
    parentProxyId: 'parent_proxy_id',
  },
  labels: false,
};
