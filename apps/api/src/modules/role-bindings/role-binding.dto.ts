import { ROLES } from '@envoy-fleet/domain';
import type { RoleBindingEntity } from '@envoy-fleet/db';
import { z } from 'zod';
import type { ListSpec } from '../../http/list-query';
import { versionedViewFields } from '../../http/request-schemas';

/** Binds one subject, a user or an API key, to its one role in the tenant. */
export const roleBindingCreateSchema = z
  .strictObject({
    userId: z.uuid().optional(),
    apiKeyId: z.uuid().optional(),
    role: z.enum(ROLES),
  })
  .refine((binding) => (binding.userId === undefined) !== (binding.apiKeyId === undefined), {
    message: 'name exactly one subject: userId or apiKeyId',
    path: ['userId'],
  });
export type RoleBindingCreate = z.output<typeof roleBindingCreateSchema>;

/** PUT (and PATCH after merging): the subject of a binding never changes, only its role. */
export const roleBindingWriteSchema = z.strictObject({ role: z.enum(ROLES) });
export type RoleBindingWrite = z.output<typeof roleBindingWriteSchema>;

export const roleBindingViewSchema = z.object({
  id: z.uuid(),
  userId: z.uuid().nullable(),
  apiKeyId: z.uuid().nullable(),
  role: z.enum(ROLES),
  ...versionedViewFields,
});
export type RoleBindingView = z.output<typeof roleBindingViewSchema>;

export function roleBindingView(binding: RoleBindingEntity): RoleBindingView {
  return {
    id: binding.id,
    userId: binding.userId,
    apiKeyId: binding.apiKeyId,
    role: binding.role,
    version: binding.version,
    createdAt: binding.createdAt.toISOString(),
    updatedAt: binding.updatedAt.toISOString(),
  };
}

export const ROLE_BINDING_LIST: ListSpec = {
  sortable: {
    createdAt: { column: 'created_at', kind: 'timestamp' },
    role: { column: 'role', kind: 'text' },
  },
  defaultSort: 'createdAt',
  filters: { userId: 'user_id', apiKeyId: 'api_key_id', role: 'role' },
  labels: false,
};
