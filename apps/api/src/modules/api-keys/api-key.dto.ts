import { ROLES, type Role } from '@envoy-fleet/domain';
import type { ApiKeyEntity } from '@envoy-fleet/db';
import { z } from 'zod';
import type { ListSpec } from '../../http/list-query';
import { versionedViewFields } from '../../http/request-schemas';

const fields = {
  name: z.string().min(1).max(255),
  role: z.enum(ROLES),
  scopes: z.array(z.string().min(1).max(100)).default([]),
  expiresAt: z.iso.datetime({ offset: true }).nullable().default(null),
};

export const apiKeyCreateSchema = z.strictObject(fields);
export type ApiKeyCreate = z.output<typeof apiKeyCreateSchema>;

/** PUT (and PATCH after merging): a key's secret never changes; `revoked: true` revokes it for good. */
export const apiKeyWriteSchema = z.strictObject({ ...fields, revoked: z.boolean().default(false) });
export type ApiKeyWrite = z.output<typeof apiKeyWriteSchema>;

export const apiKeyViewSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  prefix: z
    .string()
    .describe('the public start of the key, to recognise it; the secret is never shown again'),
  role: z.enum(ROLES),
  scopes: z.array(z.string()),
  expiresAt: z.iso.datetime().nullable(),
  lastUsedAt: z.iso.datetime().nullable(),
  revokedAt: z.iso.datetime().nullable(),
  ...versionedViewFields,
});
export type ApiKeyView = z.output<typeof apiKeyViewSchema>;

/** The response to a creation: the only time the secret is returned. */
export const createdApiKeyViewSchema = apiKeyViewSchema.extend({
  secret: z.string().describe('the API key; shown once, store it now'),
});
export type CreatedApiKeyView = z.output<typeof createdApiKeyViewSchema>;

export function apiKeyView(key: ApiKeyEntity, role: Role): ApiKeyView {
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    role,
    scopes: key.scopes,
    expiresAt: key.expiresAt?.toISOString() ?? null,
    lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
    revokedAt: key.revokedAt?.toISOString() ?? null,
    version: key.version,
    createdAt: key.createdAt.toISOString(),
    updatedAt: key.updatedAt.toISOString(),
  };
}

export function apiKeyWriteOf(view: ApiKeyView): ApiKeyWrite {
  return {
    name: view.name,
    role: view.role,
    scopes: [...view.scopes],
    expiresAt: view.expiresAt,
    revoked: view.revokedAt !== null,
  };
}

export const API_KEY_LIST: ListSpec = {
  sortable: {
    name: { column: 'name', kind: 'text' },
    createdAt: { column: 'created_at', kind: 'timestamp' },
  },
  defaultSort: 'name',
  filters: { name: 'name' },
  labels: false,
};
