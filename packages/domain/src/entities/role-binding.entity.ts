/** Ordered from least to most privileged: each role can do everything the ones before it can. */
export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who a binding grants its role to: a user or an API key of the same tenant. */
export type RoleSubject =
  | { readonly kind: 'user'; readonly userId: string }
  | { readonly kind: 'api_key'; readonly apiKeyId: string };

/** Grants one role in one tenant to one subject [FR-MT-003]; a subject has at most one binding. */
export interface RoleBinding {
  readonly id: string;
  readonly tenantId: string;
  readonly subject: RoleSubject;
  readonly role: Role;
  readonly version: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** True when `held` grants at least the rights of `required`. */
export function roleSatisfies(held: Role, required: Role): boolean {
  return ROLES.indexOf(held) >= ROLES.indexOf(required);
}
