import type { JsonObject } from '@envoy-fleet/domain';
import type { ConfigTemplateEntity } from '@envoy-fleet/db';
import { z } from 'zod';
import type { ListSpec } from '../../http/list-query';
import { versionedViewFields } from '../../http/request-schemas';
import { CONFIG_NAME_PATTERN, proxyConfigViewSchema } from '../configs/proxy-config';

const jsonObject = z.record(z.string(), z.json()).transform((value): JsonObject => value);

/**
 * A config template as clients write it: Handlebars text rendering a ProxyConfig in JSON, and the JSON
 * Schema (draft 2020-12) of its parameters. The shape is checked here (400); whether the body compiles
 * and the schema is valid JSON Schema by the domain (422).
 */
export const configTemplateWriteSchema = z.strictObject({
  name: z
    .string()
    .regex(
      CONFIG_NAME_PATTERN,
      'must be 1-253 letters, digits, ".", "_" or "-", starting and ending with a letter or digit',
    ),
  description: z.string().max(2000).default(''),
  body: z
    .string()
    .min(1, 'must not be empty')
    .describe('Handlebars text rendering a ProxyConfig in JSON; `{{json value}}` writes a parameter as JSON'),
  parametersSchema: jsonObject
    .default({})
    .describe('JSON Schema (draft 2020-12) the parameters of a render or a template binding must satisfy'),
});
export type ConfigTemplateWrite = z.output<typeof configTemplateWriteSchema>;

export const configTemplateViewSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  description: z.string(),
  body: z.string(),
  parametersSchema: z.record(z.string(), z.unknown()),
  ...versionedViewFields,
});
export type ConfigTemplateView = z.output<typeof configTemplateViewSchema>;

export const renderRequestSchema = z.strictObject({
  parameters: jsonObject.default({}).describe("checked against the template's parametersSchema"),
});
export type RenderRequest = z.output<typeof renderRequestSchema>;

export const renderViewSchema = z.object({
  document: proxyConfigViewSchema.describe(
    'the rendered ProxyConfig, valid as POST /api/v1/configs accepts it',
  ),
});
export type RenderView = z.output<typeof renderViewSchema>;

export function configTemplateView(template: ConfigTemplateEntity): ConfigTemplateView {
  return {
    id: template.id,
    name: template.name,
    description: template.description,
    body: template.body,
    parametersSchema: template.parametersSchema,
    version: template.version,
    createdAt: template.createdAt.toISOString(),
    updatedAt: template.updatedAt.toISOString(),
  };
}

export function configTemplateWriteOf(view: ConfigTemplateView): ConfigTemplateWrite {
  return {
    name: view.name,
    description: view.description,
    body: view.body,
    parametersSchema: view.parametersSchema as JsonObject,
  };
}

export const CONFIG_TEMPLATE_LIST: ListSpec = {
  sortable: {
    name: { column: 'name', kind: 'text' },
    createdAt: { column: 'created_at', kind: 'timestamp' },
    updatedAt: { column: 'updated_at', kind: 'timestamp' },
  },
  defaultSort: 'name',
  filters: { name: 'name' },
  labels: false,
};
