import { ROLES, type Role } from '@envoy-fleet/domain';
import type { ApiKeyEntity } from '@envoy-fleet/db';
import { z } from 'zod';
import type { ListSpec } from '../../http/list-query';

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

export interface ApiKeyView {
  readonly id: string;
  readonly name: string;
  /** The public start of the key, to recognise it; the secret itself is never shown again. */
  readonly prefix: string;
  readonly role: Role;
  readonly scopes: readonly string[];
  readonly expiresAt: string | null;
  readonly lastUsedAt: string | null;
  readonly revokedAt: string | null;
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** The response to a creation: the only time the secret is returned. */
export interface CreatedApiKeyView extends ApiKeyView {
  readonly secret: string;
}

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
