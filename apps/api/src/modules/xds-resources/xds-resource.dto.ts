import type { JsonObject } from '@envoy-fleet/domain';
import { z } from 'zod';
import type { ListSpec } from '../../http/list-query';
import { labelsView } from '../../http/request-schemas';

const envoyResource = z
  .record(z.string(), z.json())
  .transform((resource): JsonObject => resource)
  .describe('the Envoy v3 resource in proto-JSON (snake_case or lowerCamelCase)');

/** `POST /api/v1/<collection>`: the resource and the config it joins. */
export const xdsResourceCreateSchema = z.strictObject({
  configId: z.uuid({ error: 'must be a UUID' }).describe('the config whose next version holds the resource'),
  resource: envoyResource,
});
export type XdsResourceCreate = z.output<typeof xdsResourceCreateSchema>;

/** `PUT /api/v1/<collection>/{configId}/{name}`, and what a merge patch is applied to. */
export const xdsResourceWriteSchema = z.strictObject({ resource: envoyResource });
export type XdsResourceWrite = z.output<typeof xdsResourceWriteSchema>;

const changeSchema = z
  .object({
    fromVersion: z.number().int().nullable(),
    toVersion: z.number().int(),
    patch: z.array(
      z
        .object({
          op: z.string(),
          path: z.string(),
          value: z.unknown().optional(),
          from: z.string().optional(),
        })
        .describe('an RFC 6902 JSON Patch operation on the config document'),
    ),
  })
  .describe('the config version this write made, and the change from the previous one');

/** A resource as its config's newest version holds it; secrets masked. */
export const xdsResourceViewSchema = z.object({
  configId: z.uuid(),
  configName: z.string(),
  configLabels: labelsView.describe("the config's labels, which its resources are selected by"),
  name: z.string(),
  resource: z
    .record(z.string(), z.unknown())
    .describe('canonical proto-JSON; a secret shows only {name, "@masked": "sha256:<digest>"}'),
  configVersion: z.number().int().describe("the number of the config's newest version, which holds it"),
  version: z
    .number()
    .int()
    .describe(
      'the config\'s optimistic-lock version, also sent as the ETag W/"<version>": every change to the config changes it',
    ),
  updatedAt: z.iso.datetime().describe('when the version holding it was made'),
});
export type XdsResourceView = z.output<typeof xdsResourceViewSchema>;

export const xdsResourceChangeViewSchema = xdsResourceViewSchema.extend({ change: changeSchema });
export type XdsResourceChangeView = z.output<typeof xdsResourceChangeViewSchema>;

/** The answer to a delete: the config version without the resource. */
export const xdsResourceRemovalViewSchema = z.object({
  configId: z.uuid(),
  configVersion: z.number().int(),
  version: z.number().int().describe("the config's optimistic-lock version after the change"),
  change: changeSchema,
});
export type XdsResourceRemovalView = z.output<typeof xdsResourceRemovalViewSchema>;

/** `labels` selects on the labels of the resource's config. */
export const XDS_RESOURCE_LIST: ListSpec = {
  sortable: {
    name: { column: 'name', kind: 'text' },
    updatedAt: { column: 'updated_at', kind: 'timestamp' },
  },
  defaultSort: 'name',
  filters: { name: 'name', config: 'config_id' },
  labels: true,
};

export const resourceNameParam = z
  .string()
  .min(1, { error: 'must not be empty' })
  .max(255, { error: 'must be at most 255 characters' });
