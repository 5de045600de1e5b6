import { USER_STATUSES } from '@envoy-fleet/domain';
import type { UserEntity } from '@envoy-fleet/db';
import { z } from 'zod';
import type { ListSpec } from '../../http/list-query';
import { versionedViewFields } from '../../http/request-schemas';

/** A person of the tenant. Their role is a role binding; their identity provider's token names them. */
export const userWriteSchema = z.strictObject({
  email: z
    .string()
    .max(320)
    .regex(/^[^@\s]+@[^@\s]+$/, 'must be an e-mail address')
    .transform((email) => email.toLowerCase())
    .describe("matched (lower-cased) with the identity provider token's email claim"),
  displayName: z.string().max(255).default(''),
  status: z
    .enum(USER_STATUSES)
    .default('active')
    .describe('a disabled user is refused even with a valid token'),
});
export type UserWrite = z.output<typeof userWriteSchema>;

export const userViewSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  displayName: z.string(),
  status: z.enum(USER_STATUSES),
  lastLoginAt: z.iso.datetime().nullable(),
  ...versionedViewFields,
});
export type UserView = z.output<typeof userViewSchema>;

export function userView(user: UserEntity): UserView {
  return {
    id: user.id,
    email: user.email,
    displayName: user.displayName,
    status: user.status,
    lastLoginAt: user.lastLoginAt?.toISOString() ?? null,
    version: user.version,
    createdAt: user.createdAt.toISOString(),
    updatedAt: user.updatedAt.toISOString(),
  };
}

export function userWriteOf(view: UserView): UserWrite {
  const { email, displayName, status } = view;
  return { email, displayName, status };
}

export const USER_LIST: ListSpec = {
  sortable: {
    email: { column: 'email', kind: 'text' },
    createdAt: { column: 'created_at', kind: 'timestamp' },
  },
  defaultSort: 'email',
  filters: { email: 'email', status: 'status' },
  labels: false,
};
